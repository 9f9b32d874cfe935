using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>
/// Three peers: each streams its own writes to both others, and relays another peer's writes only
/// when a receiver still lacks them (a cut link), so nothing crosses twice when all links are up.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class ThreePeerRelayTests(ITestOutputHelper output)
{
    private const int Writes = 150;
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 240_000)]
    public async Task Writes_cross_once_when_all_links_are_up_and_through_the_third_peer_when_one_is_cut()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(3, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);
        var (p1, p2, p3) = (cluster.Network.Hosts[0], cluster.Network.Hosts[1], cluster.Network.Hosts[2]);

        // All links up: p1's writes reach p3 on p1's own stream; p2's stream to p3 carries heartbeats and little else.
        long direct, relayed, echoed;
        await using (var capture = await Capture.StartAsync(cluster.Network.SwitchNamespace, cluster.Network.Bridge))
        {
            for (var i = 0; i < Writes; i++) await TestCluster.AddConferenceAsync(cluster[0], $"up-{marker}-{i}", i);
            await Eventually.UntilAsync($"all {Writes} conferences on p2 and p3", async () =>
                    (await TestCluster.ConferencesAsync(cluster[1]), await TestCluster.ConferencesAsync(cluster[2])),
                c => c.Item1.Contains($"up-{marker}-{Writes - 1}\"", StringComparison.Ordinal) && c.Item2.Contains($"up-{marker}-{Writes - 1}\"", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(1)); // a relay would come after its delay
            await capture.StopAsync();
            var toP3 = capture.Packets.Where(p => p.IsTcp && p.DestinationPort == 4372 && Equals(p.Destination?.ToString(), p3.Address) && p.Payload.Length > 0)
                .DistinctBy(p => (p.Source!.ToString(), p.SourcePort, p.Sequence, p.Payload.Length)).ToList();
            direct = toP3.Where(p => p.Source!.ToString() == p1.Address).Sum(p => (long)p.Payload.Length);
            relayed = toP3.Where(p => p.Source!.ToString() == p2.Address).Sum(p => (long)p.Payload.Length);
            // p2's and p3's streams to p1 must not bring p1's own writes back to it.
            echoed = capture.Packets.Where(p => p.IsTcp && p.DestinationPort == 4372 && Equals(p.Destination?.ToString(), p1.Address) && p.Payload.Length > 0)
                .DistinctBy(p => (p.Source!.ToString(), p.SourcePort, p.Sequence, p.Payload.Length)).Sum(p => (long)p.Payload.Length);
        }
        _log.Write($"{Writes} writes on p1: {direct} B on p1's stream to p3, {relayed} B on p2's stream to p3, {echoed} B on p2's and p3's streams to p1");
        Assert.True(echoed < direct / 4, $"p2 and p3 sent {echoed} B to p1 beside p1's {direct} B to p3: p1's writes came back to it");
        Assert.True(direct > Writes * 50, $"p1 streamed only {direct} B to p3 for {Writes} writes");
        Assert.True(relayed < direct / 4, $"p2 relayed {relayed} B to p3 beside p1's {direct} B: writes crossed twice");

        // p1 and p3 cut off from each other: p1's writes still reach p3, through p2.
        await cluster.Faults.CutAsync(p1, p3);
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal) || s.StartsWith("Active", StringComparison.Ordinal),
            "Unreachable or Active", TimeSpan.FromSeconds(10));
        await Eventually.UntilAsync("p1 to see p3 unreachable", () => cluster[0].Api.PeerStatusAsync(),
            s => s[p3.Address].StartsWith("Unreachable", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await TestCluster.AddConferenceAsync(cluster[0], $"cut-{marker}", 1);
        await Eventually.UntilAsync("p1's write on p3 through p2", () => TestCluster.ConferencesAsync(cluster[2]),
            c => c.Contains($"cut-{marker}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        _log.Write($"through p2 in {watch.Elapsed.TotalSeconds:0.00} s");
    }
}
