using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// The end of a linger needs only the bridge's API: an empty conference on a bridge whose SIP side
/// stopped answering (shown unreachable, its API answering) is still destroyed there and its record removed.
/// </summary>
public partial class B2buaProcessTests
{
    [Fact(Timeout = 240_000)]
    public async Task An_empty_conference_on_a_bridge_whose_sip_side_is_down_is_still_destroyed_over_its_api()
    {
        using var sim2 = f.BridgeApi(f.Sim2);
        await using var caller = new SipCaller();
        await WaitForSim2("usable", 2 * Settle); // a test before this one may have left it refused by a call (held 30 s)
        await f.Cluster[0].Set("templates.tpl-pair.lingerSeconds", "600");
        try
        {
            var call = caller.Invite(f.Trunk(0), "pair.7");
            var ok = await call.Final;
            Assert.True(ok.StatusCode == 200, $"{ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
            Assert.Equal("sim2", (string?)Assert.Single((await Calls(0)).OfType<JsonObject>())["bridge"]);
            await Eventually.WaitUntil(async () => (await sim2.EnumerateParticipantsAsync("pair-7", None)).Count == 1, Settle, "the call is in pair-7 on sim2");
            Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
            await Eventually.WaitUntil(async () => (await sim2.EnumerateParticipantsAsync("pair-7", None)).Count == 0, Settle, "pair-7 empty on sim2, lingering");

            await sim2.CallAsync("sim.set", new XmlRpcStruct { ["sipSilent"] = true }, None);
            await WaitForSim2("unreachable", Settle);
            await f.Cluster[0].Set("templates.tpl-pair.lingerSeconds", "1");
            await Eventually.WaitUntil(async () => (await sim2.EnumerateConferencesAsync(None)).All(c => c.Name != "pair-7"), Settle,
                "pair-7 destroyed on sim2 over its API", async () => (await BridgeStatus(0, "sim2")).ToJsonString());
            Assert.Equal("unreachable", (string?)(await BridgeStatus(0, "sim2"))["state"]); // its SIP side still silent meanwhile
            await Eventually.WaitUntil(async () => await Conference(0, "pair-7") is null, Settle, "pair-7's record removed");
        }
        finally
        {
            await sim2.CallAsync("sim.set", new XmlRpcStruct { ["sipSilent"] = false }, None);
            await f.Cluster[0].Set("templates.tpl-pair.lingerSeconds", "1");
            await WaitForSim2("usable", Settle);
        }
    }
}
