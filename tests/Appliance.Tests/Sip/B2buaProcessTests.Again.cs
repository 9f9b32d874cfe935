using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// A call whose leg B fails before the bridge answered anything is placed again in the same INVITE
/// (CONFERENCING.md, placement step 6): a join that finds its conference destroyed on the bridge
/// creates it anew; a new conference whose bridge refuses or never answers the INVITE goes to the
/// next bridge of the service preference, the refusing bridge shown refused and left without it.
/// </summary>
public partial class B2buaProcessTests
{
    [Fact(Timeout = 240_000)]
    public async Task A_join_whose_conference_the_bridge_destroyed_meanwhile_creates_it_anew_and_gets_in()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        var first = caller.Invite(f.Trunk(0), "long.1");
        Assert.Equal(200, (await first.Final).StatusCode);
        await Eventually.WaitUntil(() => Task.FromResult(first.Dialog is not null), Settle, "the ACK went out");
        Assert.Equal(200, (await first.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => await Participants(1, "long-1") == 0, Settle, "peer 2 sees long-1 empty (its linger is 10 min)");

        // The end of a linger as another peer's destroyer sees it: gone on the bridge, the record not yet removed.
        await bridge.DestroyConferenceAsync("long-1", None);
        var again = caller.Invite(f.Trunk(1), "long.1");
        var ok = await again.Final;
        Assert.True(ok.StatusCode == 200, $"{ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("long-1", None)).Count == 1, Settle, "the call is in long-1, made anew on sim1");
        Assert.Equal("sim1", (string?)(await Conference(0, "long-1"))?["bridge"]);
        Assert.Equal(200, (await again.SendAsync(SipMethods.Bye)).StatusCode);
        await f.Cluster[0].Remove("conferences", "long-1");
        await bridge.DestroyConferenceAsync("long-1", None);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_new_conference_whose_bridge_refuses_or_never_answers_the_invite_goes_to_the_next_bridge()
    {
        using var sim1 = f.BridgeApi();
        using var sim2 = f.BridgeApi(f.Sim2);
        await using var caller = new SipCaller();
        await sim2.CallAsync("sim.set", new XmlRpcStruct { ["refuseInvite"] = 503 }, None);
        try
        {
            var refused = caller.Invite(f.Trunk(0), "pair.1");
            var ok = await refused.Final;
            Assert.True(ok.StatusCode == 200, $"{ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
            Assert.Equal("sim1", (string?)Assert.Single((await Calls(0)).OfType<JsonObject>())["bridge"]);
            await Eventually.WaitUntil(async () => (await sim1.EnumerateParticipantsAsync("pair-1", None)).Count == 1, Settle, "the call is in pair-1 on sim1");
            Assert.DoesNotContain(await sim2.EnumerateConferencesAsync(None), c => c.Name == "pair-1"); // the empty one left on sim2 went
            var status = await BridgeStatus(0, "sim2");
            Assert.True((string?)status["state"] == "refused" && ((string?)status["reason"])!.Contains("refused the INVITE of new conference pair-1 (503", StringComparison.Ordinal),
                status.ToJsonString());
            Assert.Contains("bridge:sim2", await f.Cluster[0].ActiveAlarmIds());
            Assert.Equal(200, (await refused.SendAsync(SipMethods.Bye)).StatusCode);
        }
        finally
        {
            await sim2.CallAsync("sim.set", new XmlRpcStruct { ["refuseInvite"] = 0 }, None);
        }

        // "deaf" answers OPTIONS (so its watch shows it usable) but never an INVITE: leg B's timer B runs out (32 s) and the call goes to sim1.
        var deaf = caller.Invite(f.Trunk(1), "deaf.1");
        var late = await deaf.Invite.Final.WaitAsync(TimeSpan.FromSeconds(120)); // timer B, 32 s, on a loaded machine
        Assert.True(late.StatusCode == 200, $"{late.StatusCode} {late.ReasonPhrase}: {late.Headers[SipHeaderNames.Reason]}");
        await Eventually.WaitUntil(async () => (await sim1.EnumerateParticipantsAsync("deaf-1", None)).Count == 1, Settle, "the call is in deaf-1 on sim1");
        using var deafApi = f.BridgeApi(f.Deaf);
        Assert.DoesNotContain(await deafApi.EnumerateConferencesAsync(None), c => c.Name == "deaf-1"); // the empty one made there went
        Assert.Contains("did not answer the INVITE of new conference deaf-1 (408", (string?)(await BridgeStatus(1, "deaf"))["reason"], StringComparison.Ordinal);
        Assert.Equal(200, (await deaf.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => (await Calls(0)).Count + (await Calls(1)).Count == 0, Settle, "every call gone from both peers");
    }

    private async Task<JsonObject> BridgeStatus(int peer, string bridge) =>
        (await f.Cluster[peer].Api("bridges.status", new JsonObject { ["bridge"] = bridge }))["bridges"]!.AsArray().OfType<JsonObject>()
            .Single(r => (string?)r["peer"] == f.Cluster.Host(peer));
}
