using System.Text.Json.Nodes;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// Issue 21 scenario 5's flake: calls of one conference that follow each other quickly through both
/// peers (a conference empty only between them, never for its whole linger time) keep the one
/// conference, and simultaneous first calls of a new conference all reach one conference on the
/// bridge, none refused, whether they arrive at one peer or at both.
/// </summary>
public partial class B2buaProcessTests
{
    private const int Simultaneous = 12;

    [Fact(Timeout = 240_000)]
    public async Task Back_to_back_calls_through_both_peers_keep_their_conference_which_is_never_empty_for_its_linger()
    {
        const int Calls = 30;
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        var refused = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Each call is answered and hung up at once, the next comes 150 ms later through the other peer: meet-42 is
        // empty most of the time, but never for its template's 1 s linger, however often the janitor looks.
        for (var i = 0; i < Calls; i++)
        {
            if (i > 0) await Task.Delay(150);
            var call = caller.Invite(f.Trunk(i % 2), "meet.42");
            var ok = await call.Final;
            if (ok.StatusCode != 200)
            {
                refused.Add($"call {i} via peer {i % 2 + 1}: {ok.StatusCode} {ok.ReasonPhrase} {ok.Headers[SipHeaderNames.Reason]}");
                continue;
            }
            await Eventually.WaitUntil(() => Task.FromResult(call.Dialog is not null), Settle, "the ACK went out");
            Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
        }
        var destroyed = new List<string>();
        for (var p = 0; p < 2; p++) destroyed.AddRange(await Events(p, "conference meet-42 destroyed"));
        Assert.True(refused.Count == 0 && destroyed.Count == 0,
            $"{Calls} calls in {clock.Elapsed.TotalSeconds:0.0} s: {refused.Count} refused, meet-42 destroyed {destroyed.Count} times meanwhile:\n{string.Join('\n', refused.Concat(destroyed))}");
        await Eventually.WaitUntil(async () => await Conference(0, "meet-42") is null, Settle, "meet-42 lingered and went after the last call",
            async () => $"{(await Conference(0, "meet-42"))?.ToJsonString()} {(await Conference(1, "meet-42"))?.ToJsonString()} events: {string.Join(" | ", (await Events(0, "meet-42")).Concat(await Events(1, "meet-42")))}");
    }

    private async Task<List<string>> Events(int peer, string containing) =>
        [.. (await f.Cluster[peer].Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray()
            .Select(e => (string?)e!["message"] ?? "").Where(m => m.Contains(containing, StringComparison.Ordinal))];

    [Fact(Timeout = 240_000)]
    public async Task Simultaneous_first_calls_of_a_new_alias_at_one_peer_all_join_one_conference() =>
        await FirstCallsJoinOneConference("meet.40", _ => 0);

    [Fact(Timeout = 240_000)]
    public async Task Simultaneous_first_calls_of_a_new_alias_at_both_peers_all_join_one_conference() =>
        await FirstCallsJoinOneConference("meet.41", i => i % 2);

    private async Task FirstCallsJoinOneConference(string alias, Func<int, int> peerOf)
    {
        var conference = alias.Replace('.', '-');
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        var calls = Enumerable.Range(0, Simultaneous).Select(i => caller.Invite(f.Trunk(peerOf(i)), alias)).ToList();
        try
        {
            var finals = await Task.WhenAll(calls.Select(c => c.Final));
            var refused = finals.Select((r, i) => (r, i)).Where(x => x.r.StatusCode != 200)
                .Select(x => $"call {x.i} via peer {peerOf(x.i) + 1}: {x.r.StatusCode} {x.r.ReasonPhrase} {x.r.Headers[SipHeaderNames.Reason]}").ToList();
            Assert.True(refused.Count == 0, $"{refused.Count} of {Simultaneous} refused:\n{string.Join('\n', refused)}");
            Assert.Single(await bridge.EnumerateConferencesAsync(None), c => c.Name == conference);
            Assert.DoesNotContain(calls, c => c.HungUpByFarEnd.Task.IsCompleted);
            await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync(conference, None)).Count == Simultaneous, Settle,
                $"all {Simultaneous} calls in {conference} on the bridge", async () => $"{(await bridge.EnumerateParticipantsAsync(conference, None)).Count}");
            var held = new List<JsonObject>();
            for (var p = 0; p < 2; p++) held.AddRange((await Calls(p)).OfType<JsonObject>());
            Assert.Equal(Simultaneous, held.Count);
            Assert.All(held, c => Assert.Equal((conference, "sim1", "connected"), ((string?)c["conference"], (string?)c["bridge"], (string?)c["state"])));
            await Eventually.WaitUntil(async () => await Participants(0, conference) == Simultaneous && await Participants(1, conference) == Simultaneous, Settle,
                $"both peers count {Simultaneous} participants in {conference}", async () => (await Conference(0, conference))?.ToJsonString() ?? "none");
        }
        finally
        {
            // A call the far end hung up (its conference destroyed under it) has no dialog left to end.
            foreach (var call in calls.Where(c => c.Dialog is not null && !c.HungUpByFarEnd.Task.IsCompleted)) await call.SendAsync(SipMethods.Bye);
        }
        await Eventually.WaitUntil(async () => (await Calls(0)).Count + (await Calls(1)).Count == 0, Settle, "every call gone from both peers");
        await Eventually.WaitUntil(async () => await Conference(0, conference) is null, Settle, $"{conference} lingered and went");
    }
}
