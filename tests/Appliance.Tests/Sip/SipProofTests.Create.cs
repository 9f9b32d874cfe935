using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;
using RootFactAttribute = Appliance.Tests.Harness.RootFactAttribute;

namespace Appliance.Tests.Sip;

public sealed partial class SipProofTests
{
    /// <summary>
    /// A bridge that reports itself healthy but fails conference.create (bridgesim's refuseCreate)
    /// costs the call nothing: the same INVITE places the conference on the next usable bridge of the
    /// service preference. Only when every bridge fails is the call refused, 503 naming each and why.
    /// </summary>
    [RootFact(Timeout = 300_000)]
    public async Task A_bridge_that_fails_the_create_is_passed_over_within_the_invite_and_503_names_every_bridge_when_none_can_take_it()
    {
        await using var caller = await f.CallerAsync();
        var trunk = new IPEndPoint(IPAddress.Parse(f.Rendezvous(0)), Appliance.Daemon.Sip.SipTrunk.DefaultPort);
        var chosen = (string)(await f.Cluster[0].Api.CallAsync("conferences.place", new JsonObject { ["alias"] = "meet.60" }))["bridge"]!;
        var first = Array.IndexOf(SipProofFixture.BridgeNames, chosen);
        var other = SipProofFixture.BridgeNames[1 - first];
        SipCall? call = null;
        try
        {
            await RefuseCreate(first, true);
            call = caller.Invite(trunk, "meet.60");
            var ok = await call.Final;
            Assert.True(ok.StatusCode == 200, $"meet.60 with {chosen} failing creates: {ok.StatusCode} {ok.ReasonPhrase} {ok.Headers[SipHeaderNames.Reason]}");
            Assert.Equal(other, await BridgeOf(0, "meet-60"));
            Assert.Equal(other, (string?)Assert.Single(await f.Calls(0))!["bridge"]);

            await RefuseCreate(1 - first, true);
            var refused = await caller.Invite(trunk, "meet.61").Final;
            Assert.Equal(503, refused.StatusCode);
            var reason = refused.Headers[SipHeaderNames.Reason] ?? "";
            foreach (var bridge in SipProofFixture.BridgeNames)
                Assert.Contains($"{bridge} conference.create failed", reason, StringComparison.Ordinal);
            Assert.Contains("refuseCreate", reason, StringComparison.Ordinal);
            Assert.Null(await f.Conference(0, "meet-61"));
        }
        finally
        {
            for (var i = 0; i < f.BridgeApis.Length; i++) await RefuseCreate(i, false);
            if (call?.Dialog is not null) await call.SendAsync(SipMethods.Bye);
        }
        await Eventually.WaitUntil(async () => (await f.Calls(0)).Count == 0, Settle, "the call is gone from peer 1");
    }

    private Task<object> RefuseCreate(int bridge, bool on) => f.BridgeApis[bridge].CallAsync("sim.set", new XmlRpcStruct { ["refuseCreate"] = on });
}
