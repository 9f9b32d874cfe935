using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>Replication between real peers in namespaces across joins, stops and crashes.</summary>
[Collection(NetworkTestLog.Collection)]
public sealed class ReplicationTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    /// <summary>
    /// The joining peer wrote its host name and address before it joined, so the first peer lacks
    /// the start of its operation log; its later writes must still arrive (through recovery).
    /// </summary>
    [RootFact(Timeout = 120_000)]
    public async Task Writes_on_the_joining_peer_reach_the_first_peer()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);
        await TestCluster.AddConferenceAsync(cluster[1], $"from-p2-{marker}", 4);
        await Eventually.UntilAsync("p2's conference on p1", () => TestCluster.ConferencesAsync(cluster[0]),
            c => c.Contains($"from-p2-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [RootFact(Timeout = 180_000)]
    public async Task A_stopped_and_a_killed_peer_come_back_active_and_catch_up()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);

        Assert.Equal(0, await cluster[1].StopAsync());
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(10), on: [cluster[0]]);
        await TestCluster.AddConferenceAsync(cluster[0], $"while-stopped-{marker}", 1);
        await cluster[1].StartAsync();
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(20));
        await Eventually.UntilAsync("the write made while p2 was stopped, on p2", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"while-stopped-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        await cluster[1].KillAsync();
        await TestCluster.AddConferenceAsync(cluster[0], $"while-killed-{marker}", 2);
        await cluster[1].StartAsync();
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(20));
        await Eventually.UntilAsync("the write made while p2 was killed, on p2", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"while-killed-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }
}
