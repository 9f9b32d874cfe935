using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>A silent partition between two peers: both keep working, and they agree again within seconds of the heal (R17).</summary>
[Collection(NetworkTestLog.Collection)]
public sealed class LinkCutTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 180_000)]
    public async Task Writes_on_both_sides_of_a_cut_converge_after_the_link_returns()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);
        await TestCluster.AddConferenceAsync(cluster[0], $"before-{marker}", 1);
        await Eventually.UntilAsync("the first conference on p2", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"before-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        var (a, b) = (cluster.Network.Hosts[0], cluster.Network.Hosts[1]);
        await cluster.Faults.CutAsync(a, b);
        // Failure detection is 3 s by design (DESIGN.md 5); allow for the probe interval.
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(10));
        _log.Write("both sides see the other unreachable");

        await TestCluster.AddConferenceAsync(cluster[0], $"cut-a-{marker}", 2);
        await TestCluster.AddConferenceAsync(cluster[1], $"cut-b-{marker}", 3);
        await cluster[1].Api.SetAsync($"conferences.before-{marker}.participants", "7");
        Assert.NotEqual(await TestCluster.ConferencesAsync(cluster[0]), await TestCluster.ConferencesAsync(cluster[1]));

        await cluster.Faults.RestoreAsync(a, b);
        var healed = System.Diagnostics.Stopwatch.StartNew();
        var agreed = await Eventually.UntilAsync("both peers to hold the same conferences", async () =>
            (await TestCluster.ConferencesAsync(cluster[0]), await TestCluster.ConferencesAsync(cluster[1])),
            c => c.Item1 == c.Item2 && c.Item1.Contains($"cut-a-{marker}", StringComparison.Ordinal) && c.Item1.Contains($"cut-b-{marker}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        _log.Write($"converged {healed.Elapsed.TotalSeconds:0.0} s after the heal:\n{agreed.Item1}");
        Assert.Contains("\"participants\":7", agreed.Item1.Split('\n').Single(l => l.Contains($"before-{marker}", StringComparison.Ordinal)).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(10));
    }

    [RootFact(Timeout = 120_000)]
    public async Task An_unplugged_peer_becomes_unreachable_and_active_again_when_plugged_back()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);

        await cluster.Faults.UnplugAsync(cluster.Network.Hosts[1]);
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(10));
        Assert.Contains(await cluster[0].Api.ActiveAlarmsAsync(), id => id == $"peer-unreachable:{cluster.Network.Hosts[1].Address}");
        await TestCluster.AddConferenceAsync(cluster[0], $"unplugged-{marker}", 1);

        await cluster.Faults.PlugAsync(cluster.Network.Hosts[1]);
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(15));
        await Eventually.UntilAsync("the write made while unplugged, on p2", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"unplugged-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }
}
