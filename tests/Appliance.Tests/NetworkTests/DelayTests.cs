using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>Round-trip time between peers over the 30 ms limit raises the peer-rtt alarm; back under it, the alarm is lowered (R5).</summary>
[Collection(NetworkTestLog.Collection)]
public sealed class DelayTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 180_000)]
    public async Task Twenty_ms_each_way_raises_the_rtt_alarm_and_removing_it_lowers_it()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.CreateAsync(2, _log.Write);
        var (a, b) = (cluster.Network.Hosts[0], cluster.Network.Hosts[1]);
        // In place before the peers start, so every connection between them goes through it.
        await using var relay = await DelayRelay.StartAsync(cluster.Network, a, b, TimeSpan.Zero, TestCluster.ClusterPorts, _log.Write);
        await cluster.StartPeersAsync();
        await cluster.FormAsync($"key-{marker}-Cluster!");
        await cluster.WaitAllActiveAsync(NetworkTestLog.FormTimeout);
        Assert.True(relay.Connections > 0, "the peers connected around the relay");
        // Without delay the alarm settles lowered (a loaded test machine may spike it while forming).
        foreach (var peer in cluster.Peers)
            await Eventually.UntilAsync($"{peer.Host.Name} without peer-rtt", () => peer.Api.ActiveAlarmsAsync(),
                ids => !ids.Any(id => id.StartsWith("peer-rtt", StringComparison.Ordinal)), TimeSpan.FromSeconds(15));

        relay.OneWayDelay = TimeSpan.FromMilliseconds(20);
        _log.Write("relay: 20 ms each way");
        foreach (var peer in cluster.Peers)
            await Eventually.UntilAsync($"{peer.Host.Name} to raise peer-rtt", () => peer.Api.ActiveAlarmsAsync(),
                ids => ids.Any(id => id.StartsWith("peer-rtt", StringComparison.Ordinal)), TimeSpan.FromSeconds(15));
        var rtt = (await cluster[0].Api.CallAsync("cluster.show"))["peers"]!.AsArray().Select(p => p!["rttMs"]?.ToString()).ToList();
        _log.Write($"rtt seen by {a.Name}: {string.Join(", ", rtt)} ms");
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(5));

        relay.OneWayDelay = TimeSpan.Zero;
        _log.Write("relay: no delay");
        foreach (var peer in cluster.Peers)
            await Eventually.UntilAsync($"{peer.Host.Name} to lower peer-rtt", () => peer.Api.ActiveAlarmsAsync(),
                ids => !ids.Any(id => id.StartsWith("peer-rtt", StringComparison.Ordinal)), TimeSpan.FromSeconds(15));
    }
}
