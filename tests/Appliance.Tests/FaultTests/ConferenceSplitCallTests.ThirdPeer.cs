using System.Net;
using System.Text.Json.Nodes;
using Appliance.Tests.Harness;
using Appliance.Tests.Sip;
using Appliance.Tests.Support;
using Eventually = Appliance.Tests.Support.Eventually;

namespace Appliance.Tests.FaultTests;

public sealed partial class ConferenceSplitCallTests
{
    /// <summary>
    /// Three peers, peer 2 cut off from the others: peer 1 places split-4 on sim1 and peer 3's call joins it
    /// there; peer 2 places it on sim2 later, so its record is the one the store keeps after the heal. Peer 1
    /// (the losing placer) moves its call, and peer 3, which placed nothing, moves its own too (it follows
    /// the kept record); only then does sim1 list nobody and peer 1 destroy its conference there.
    /// </summary>
    [RootFact(Timeout = 300_000)]
    public async Task After_the_heal_a_third_peers_calls_in_the_losing_placement_follow_the_kept_record_too()
    {
        var sipPort = SipTrunkProcessTests.FreePort();
        string[] rendezvous = [LoopbackAddresses.Next(), LoopbackAddresses.Next(), LoopbackAddresses.Next()];
        await using var sim1 = Sim();
        await using var sim2 = Sim();
        await using var c = await StartAsync("s3", rendezvous, sipPort, sim1, sim2);
        using var api1 = Api(sim1);
        using var api2 = Api(sim2);
        await using var caller = new SipCaller();
        var cut = new LoopbackCut(c.Address(1), c.Address(1));
        await using var _ = cut;
        IPEndPoint Trunk(int peer) => new(IPAddress.Parse(rendezvous[peer]), sipPort);

        await SetPorts(api2, 1);
        await WaitPlacement(c[0], "sim1");
        await cut.CutAsync();
        await c.WaitStatusAsync(0, 1, "Unreachable", Settle);
        await c.WaitStatusAsync(1, 0, "Unreachable", Settle);
        await c.WaitStatusAsync(1, 2, "Unreachable", Settle);
        var one = caller.Invite(Trunk(0), Alias);
        Assert.Equal(200, (await one.Final).StatusCode);
        await Eventually.WaitUntil(async () => (string?)(await Conference(c[2]))?["bridge"] == "sim1", Settle, "peer 3 has peer 1's record of split-4");
        var three = caller.Invite(Trunk(2), Alias);
        Assert.Equal(200, (await three.Final).StatusCode);
        await WaitParticipants(api1, 2, "calls 1 and 3 in split-4 on sim1");

        await SetPorts(api2, 40);
        await SetPorts(api1, 1);
        await WaitPlacement(c[1], "sim2");
        var two = caller.Invite(Trunk(1), Alias);
        Assert.Equal(200, (await two.Final).StatusCode);
        await WaitParticipants(api2, 1, "call 2 in split-4 on sim2");
        await SetPorts(api1, 40);

        await cut.HealAsync();
        await Eventually.WaitUntil(async () =>
            {
                foreach (var peer in c.Peers)
                    if (await Conference(peer) is not { } r || (string?)r["bridge"] != "sim2" || (int?)r["participants"] != 3) return false;
                return true;
            }, Settle, "every peer shows split-4 on sim2 (peer 2's later record) with 3 participants",
            async () => string.Join(" / ", await Task.WhenAll(c.Peers.Select(async p => (await Conference(p))?.ToJsonString() ?? "none"))));
        await WaitParticipants(api2, 3, "all 3 calls in split-4 on sim2");
        await Eventually.WaitUntil(async () => (await api1.EnumerateConferencesAsync(None)).All(x => x.Name != Name), Settle,
            "peer 1's losing conference is destroyed on sim1 once peer 3's call left it too",
            async () => $"sim1 lists {await Participants(api1)} participants in it");
        foreach (var peer in c.Peers)
            Assert.All((await peer.Api("calls.show"))["calls"]!.AsArray().OfType<JsonObject>(), call => Assert.Equal("sim2", (string?)call["bridge"]));
        Assert.Contains(await Events(c[2]), e => e.Contains("this peer moves its 1 participants there", StringComparison.Ordinal));

        foreach (var call in new[] { one, two, three })
        {
            Assert.False(call.HungUpByFarEnd.Task.IsCompleted, $"call {call.Invite.Request.CallId} was hung up");
            Assert.Equal(200, (await call.SendAsync(Appliance.Sip.SipMethods.Bye)).StatusCode);
        }
        await Eventually.WaitUntil(async () => await Conference(c[0]) is null, Settle, "split-4 lingers and goes");
    }
}
