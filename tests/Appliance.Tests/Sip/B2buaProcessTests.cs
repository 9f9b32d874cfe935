using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// Calls through the B2BUA of real peers to a real bridgesim: an alias is placed, a second leg
/// reaches the conference on the bridge with the caller's SDP, responses, ACK, re-INVITE, BYE from
/// either side and CANCEL are relayed, the shared status counts the calls per peer, an emptied
/// conference is destroyed after its linger; refusals carry their reason.
/// </summary>
public partial class B2buaProcessTests(B2buaClusterFixture f) : IClassFixture<B2buaClusterFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    private static readonly CancellationToken None = CancellationToken.None;

    private async Task<JsonObject?> Conference(int peer, string name) =>
        (await f.Cluster[peer].Api("conferences.show"))["conferences"]!.AsArray().OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == name);

    private async Task<int?> Participants(int peer, string name) => (int?)(await Conference(peer, name))?["participants"];

    private async Task<JsonArray> Calls(int peer) => (await f.Cluster[peer].Api("calls.show"))["calls"]!.AsArray();

    [Fact(Timeout = 240_000)]
    public async Task Calls_to_one_alias_through_both_peers_meet_in_one_conference_and_it_goes_after_the_last_leaves()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();

        var one = caller.Invite(f.Trunk(0), "meet.7");
        var ok1 = await one.Final;
        Assert.True(ok1.StatusCode == 200, $"{ok1.StatusCode} {ok1.ReasonPhrase}: {ok1.Headers[SipHeaderNames.Reason]}");
        Assert.Contains(one.Responses, r => r.StatusCode == 180); // the bridge's ringing, relayed
        Assert.Contains($"c=IN IP4 {f.Sim.Address}", one.Body(ok1), StringComparison.Ordinal); // the bridge's SDP: media goes there, not here
        Assert.Equal($"{f.Rendezvous[0]}", ok1.Contacts[0].Uri.Host); // in-dialog requests come back to the peer
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-7", None)).Count == 1, Settle, "leg B joined meet-7 on the bridge");
        Assert.NotEqual(one.Invite.Request.CallId, (await bridge.EnumerateParticipantsAsync("meet-7", None))[0].Name); // leg B is its own call

        var listed = Assert.Single((await Calls(0)).OfType<JsonObject>(), c => (string?)c["callId"] == one.Invite.Request.CallId);
        Assert.Equal(("meet.7", "meet-7", "sim1", "connected"), ((string?)listed["alias"], (string?)listed["conference"], (string?)listed["bridge"], (string?)listed["state"]));
        await Eventually.WaitUntil(async () => await Participants(1, "meet-7") == 1, Settle, "peer 2 sees meet-7 with 1 participant");

        // The same alias through the other peer joins the same conference on the same bridge.
        var two = caller.Invite(f.Trunk(1), "meet.7", "TCP");
        Assert.Equal(200, (await two.Final).StatusCode);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-7", None)).Count == 2, Settle, "both calls in meet-7");
        Assert.Single(await bridge.EnumerateConferencesAsync(None), c => c.Name == "meet-7");
        await Eventually.WaitUntil(async () => await Participants(0, "meet-7") == 2 && await Participants(1, "meet-7") == 2, Settle,
            "both peers count 2 participants (one per peer)");

        var reinvite = await one.SendAsync(SipMethods.Invite, SipCaller.Offer);
        Assert.Equal(200, reinvite.StatusCode);
        Assert.Contains($"c=IN IP4 {f.Sim.Address}", one.Body(reinvite), StringComparison.Ordinal);

        Assert.Equal(200, (await one.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-7", None)).Count == 1, Settle, "the BYE reached the bridge");
        await Eventually.WaitUntil(async () => await Participants(1, "meet-7") == 1, Settle, "the count follows the BYE");
        Assert.Empty(await Calls(0));

        // The bridge drops the other participant: its BYE reaches the caller through peer 2.
        var legB = (await bridge.EnumerateParticipantsAsync("meet-7", None))[0].Name;
        await bridge.CallAsync("participant.remove", new XmlRpcStruct { ["conferenceName"] = "meet-7", ["participantName"] = legB }, None);
        await two.HungUpByFarEnd.Task.WaitAsync(Settle);
        await Eventually.WaitUntil(async () => (await Calls(1)).Count == 0, Settle, "peer 2 holds no call");

        // Empty: after the template's linger (1 s) it is destroyed on the bridge and its record goes.
        await Eventually.WaitUntil(async () => await Conference(0, "meet-7") is null && await Conference(1, "meet-7") is null, Settle,
            "meet-7's record removed on both peers", async () => (await f.Cluster[0].Api("conferences.show")).ToJsonString());
        Assert.DoesNotContain(await bridge.EnumerateConferencesAsync(None), c => c.Name == "meet-7");
    }

    [Fact(Timeout = 240_000)]
    public async Task Refusals_carry_their_reason_and_a_cancel_reaches_the_bridge()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();

        var unknown = await caller.Invite(f.Trunk(0), "nobody").Final;
        Assert.Equal(404, unknown.StatusCode);
        Assert.Contains("no conference alias matches", unknown.Headers[SipHeaderNames.Reason], StringComparison.Ordinal);

        var dead = await caller.Invite(f.Trunk(1), "dead.1").Final;
        Assert.Equal(503, dead.StatusCode);
        Assert.Equal($"{Appliance.Daemon.Sip.B2bua.RetryAfterSeconds}", dead.Headers[SipHeaderNames.RetryAfter]);
        Assert.Contains("no usable bridge in service preference pref-gone", dead.Headers[SipHeaderNames.Reason], StringComparison.Ordinal);

        // The bridge is slow to answer: the caller's CANCEL after the ringing cancels leg B too.
        await bridge.CallAsync("sim.set", new XmlRpcStruct { ["ringMs"] = 30_000 }, None);
        try
        {
            var slow = caller.Invite(f.Trunk(0), "meet.8");
            await slow.Ringing.Task.WaitAsync(Settle);
            Assert.Equal(200, (await slow.CancelAsync()).StatusCode);
            Assert.Equal(487, (await slow.Final).StatusCode);
            await Eventually.WaitUntil(async () => (await Calls(0)).Count == 0, Settle, "the cancelled call is gone (leg B answered 487)",
                async () => (await Calls(0)).ToJsonString());
        }
        finally
        {
            await bridge.CallAsync("sim.set", new XmlRpcStruct { ["ringMs"] = 0 }, None);
        }
        Assert.Empty(await bridge.EnumerateParticipantsAsync("meet-8", None));
    }

    [Fact(Timeout = 240_000)]
    public async Task Baresip_calls_through_the_peer_into_the_conference_and_hangs_up()
    {
        Assert.True(File.Exists(Baresip.Program), $"{Baresip.Program} is missing: build.sh installs baresip");
        using var bridge = f.BridgeApi();
        var trunk = f.Trunk(1);
        await using var baresip = new Baresip($"sip:meet.21@{trunk.Address}:{trunk.Port}");
        await baresip.WaitForAsync("Call established", Settle);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-21", None)).Count == 1, Settle, "baresip's call is in meet-21 on the bridge");
        var call = Assert.Single((await Calls(1)).OfType<JsonObject>());
        Assert.Equal(("meet.21", "meet-21", "connected"), ((string?)call["alias"], (string?)call["conference"], (string?)call["state"]));

        // Its BYE ends both legs (baresip's own "terminated" line sits in its stdout buffer until it quits).
        await baresip.CommandAsync("/hangup");
        await Eventually.WaitUntil(async () => (await Calls(1)).Count == 0, Settle, "the call is gone from peer 2", async () => (await Calls(1)).ToJsonString());
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-21", None)).Count == 0, Settle, "the BYE went on to the bridge");
        await Eventually.WaitUntil(async () => await Conference(0, "meet-21") is null, Settle, "meet-21 lingered and went");
    }

    [Fact(Timeout = 240_000)]
    public async Task A_late_offer_reaches_the_bridge_with_the_callers_ack()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        // No SDP in the INVITE: the bridge's 200 carries the offer; leg B's ACK waits for the caller's.
        var late = caller.Invite(f.Trunk(0), "meet.31", sdp: "");
        var ok = await late.Final;
        Assert.Equal(200, ok.StatusCode);
        Assert.Contains("m=audio ", late.Body(ok), StringComparison.Ordinal);
        // The bridge joins a call on its ACK: the caller's ACK went on to it.
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-31", None)).Count == 1, Settle, "leg B ACKed after the caller's ACK");
        Assert.Equal(200, (await late.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-31", None)).Count == 0, Settle, "the BYE reached the bridge");
    }
}
