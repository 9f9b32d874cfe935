using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;
using RootFactAttribute = Appliance.Tests.Harness.RootFactAttribute;

namespace Appliance.Tests.Sip;

public sealed partial class SipProofTests
{
    /// <summary>
    /// Issue 21's scenario 4 through kamailio: the peers are cut from each other (an nft table in each
    /// one's namespace dropping the other's address) while kamailio and the bridges still reach both;
    /// kamailio's round robin gives the first two calls of a new alias one to each peer, and each peer,
    /// not knowing of the other's, creates the conference on its own bridge (the bridges' capacities
    /// steer which). After the heal the split rule (CONFERENCING.md) leaves one conference on one
    /// bridge holding both calls, and neither caller was hung up.
    /// </summary>
    [RootFact(Timeout = 300_000)]
    public async Task Two_calls_to_a_new_alias_through_kamailio_to_partitioned_peers_end_in_one_conference_on_one_bridge_after_the_heal_and_none_drops()
    {
        const string Alias = "meet.40", Name = "meet-40";
        var (p1, p2) = (f.Cluster[0], f.Cluster[1]);
        var ports = await Task.WhenAll(f.BridgeApis.Select(async b => ((XmlRpcStruct)await b.CallAsync("sim.get", new XmlRpcStruct())).Int("ports")));
        await using var caller = await f.CallerAsync();
        var calls = new List<SipCall>();
        try
        {
            await f.Cluster.Faults.CutAsync(p1.Host, p2.Host);
            await f.Cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", Settle);

            // The first call goes to whichever peer is next in kamailio's round robin: both would create it on sim1.
            await SetPorts(1, 1);
            await WaitCreateOn(0, Alias, 0);
            await WaitCreateOn(1, Alias, 0);
            await f.WaitKamailioUsesBothAsync();
            calls.Add(caller.Invite(f.Proxy, Alias));
            var first = await AnsweringPeer(calls[0]);
            output.WriteLine($"call 1 answered by peer {first + 1}");
            await Eventually.WaitUntil(async () => (await f.BridgeApis[0].ParticipantsAsync(Name)).Count == 1, Settle, $"call 1 in {Name} on sim1");

            // The other peer does not know of it: it creates the conference on sim2 (sim1 now looks full).
            await SetPorts(1, ports[1]);
            await SetPorts(0, 1);
            await WaitCreateOn(1 - first, Alias, 1);
            await f.WaitKamailioUsesBothAsync();
            calls.Add(caller.Invite(f.Proxy, Alias));
            Assert.Equal(1 - first, await AnsweringPeer(calls[1])); // round robin: one call on each peer
            await Eventually.WaitUntil(async () => (await f.BridgeApis[1].ParticipantsAsync(Name)).Count == 1, Settle, $"call 2 in {Name} on sim2");
            Assert.Equal(SipProofFixture.BridgeNames[0], (string?)(await f.Conference(first, Name))?["bridge"]);
            Assert.Equal(SipProofFixture.BridgeNames[1], (string?)(await f.Conference(1 - first, Name))?["bridge"]);
            await SetPorts(0, ports[0]); // room on either bridge for the call that moves

            await f.Cluster.Faults.RestoreAsync(p1.Host, p2.Host);
            string? kept = null;
            await Eventually.WaitUntil(async () =>
            {
                var (r1, r2) = (await f.Conference(0, Name), await f.Conference(1, Name));
                kept = (string?)r1?["bridge"];
                return kept is not null && (string?)r2?["bridge"] == kept && (int?)r1!["participants"] == 2 && (int?)r2!["participants"] == 2;
            }, Settle, $"both peers show {Name} on one bridge with 2 participants",
                async () => $"{(await f.Conference(0, Name))?.ToJsonString()} / {(await f.Conference(1, Name))?.ToJsonString()}");
            var keptIndex = Array.IndexOf(SipProofFixture.BridgeNames, kept);
            output.WriteLine($"{Name} kept on {kept}");
            await Eventually.WaitUntil(async () => (await f.BridgeApis[keptIndex].ParticipantsAsync(Name)).Count == 2, Settle, $"both calls in {Name} on {kept}");
            await Eventually.WaitUntil(async () => !(await f.BridgeApis[1 - keptIndex].ConferencesAsync()).Contains(Name), Settle,
                $"the lost placement's {Name} is destroyed on {SipProofFixture.BridgeNames[1 - keptIndex]}");
            for (var peer = 0; peer < 2; peer++)
                Assert.All((await f.Calls(peer)).OfType<JsonObject>(), call => Assert.Equal(kept, (string?)call["bridge"]));

            // The call that moved was told the kept bridge's SDP in its own dialog; neither caller was hung up.
            Assert.NotNull(calls[1 - keptIndex].Dialog!.RemoteSequence); // call N went to sim(N+1)
            Assert.Null(calls[keptIndex].Dialog!.RemoteSequence);
            Assert.All(calls, call => Assert.False(call.HungUpByFarEnd.Task.IsCompleted, $"{call.Invite.Request.CallId} was hung up"));
            foreach (var call in calls) Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
            calls.Clear();
        }
        finally
        {
            await f.Cluster.Faults.RestoreAllAsync();
            for (var i = 0; i < ports.Length; i++) await SetPorts(i, ports[i]);
            foreach (var call in calls.Where(c => c.Dialog is not null)) await call.SendAsync(SipMethods.Bye);
        }
        await Eventually.WaitUntil(async () => (await f.Calls(0)).Count + (await f.Calls(1)).Count == 0, Settle, "both calls gone from both peers");
        // The next test needs the healed peers replicating as before, not still catching up.
        await f.Cluster.WaitAllActiveAsync(Settle);
        await FaultTests.FaultChecks.WaitConvergedAsync(f.Cluster.Peers, Settle, f.Write);
    }

    private Task<object> SetPorts(int bridge, int ports) => f.BridgeApis[bridge].CallAsync("sim.set", new XmlRpcStruct { ["ports"] = ports });

    /// <summary>Waits until the peer's own bridge watcher has seen the capacities set: a call for <paramref name="alias"/> would create its conference on that bridge.</summary>
    private Task WaitCreateOn(int peer, string alias, int bridge) => Eventually.WaitUntil(async () =>
        {
            var p = await f.Cluster[peer].Api.CallAsync("conferences.place", new JsonObject { ["alias"] = alias });
            return (string?)p["outcome"] == "create" && (string?)p["bridge"] == SipProofFixture.BridgeNames[bridge];
        }, Settle, $"peer {peer + 1} would create {alias}'s conference on {SipProofFixture.BridgeNames[bridge]}",
        async () => (await f.Cluster[peer].Api.CallAsync("conferences.place", new JsonObject { ["alias"] = alias })).ToJsonString());

    /// <summary>The peer (0 or 1) that answered the call 200: the one its Contact names.</summary>
    private async Task<int> AnsweringPeer(SipCall call)
    {
        var ok = await call.Final;
        Assert.True(ok.StatusCode == 200, $"{call.Invite.Request.RequestUri}: {ok.StatusCode} {ok.ReasonPhrase} {ok.Headers[SipHeaderNames.Reason]}");
        var host = ok.Contacts[0].Uri.Host;
        Assert.True(host == f.Rendezvous(0) || host == f.Rendezvous(1), $"the 200's Contact {host} is neither peer's rendezvous");
        return host == f.Rendezvous(0) ? 0 : 1;
    }
}
