using Appliance.Tests.Harness;
using Appliance.Tests.NetworkTests;
using Xunit.Abstractions;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// A silent partition of two peers with writes on both sides, some to the same record: after the
/// heal both hold identical data (verify in sync), the conflict resolved the same way on both,
/// and nothing the API acknowledged is lost.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class PartitionFaultTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 150_000)]
    public async Task Conflicting_and_separate_writes_during_a_partition_converge_identically_after_the_heal()
    {
        var mk = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{mk}-Cluster!", NetworkTestLog.FormTimeout);
        var (p1, p2) = (cluster[0], cluster[1]);
        var ledger = new AckLedger();

        // Records both sides will change while apart; they must exist on both before the cut.
        string[] shared = [$"conflict-{mk}-0", $"conflict-{mk}-1", $"conflict-{mk}-2"];
        foreach (var name in shared) Assert.True(await ledger.AddAsync(p1, name, 1));
        await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(20), _log.Write);

        await cluster.Faults.CutAsync(p1.Host, p2.Host);
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(15));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await ledger.AddAsync(p1, $"a-{mk}-{i}", i));
            Assert.True(await ledger.AddAsync(p2, $"b-{mk}-{i}", 100 + i));
        }
        // The same records, different values on each side: either may win, but the same one on both.
        for (var k = 0; k < shared.Length; k++)
        {
            // p2 writes the first one last, p1 the others: the winner is not always the same side.
            var first = k == 0 ? p1 : p2;
            var second = k == 0 ? p2 : p1;
            await first.Api.SetAsync($"conferences.{shared[k]}.participants", Value(first, k));
            await second.Api.SetAsync($"conferences.{shared[k]}.participants", Value(second, k));
            ledger.Acked(shared[k], int.Parse(Value(p1, k)));
            ledger.Acked(shared[k], int.Parse(Value(p2, k)));
        }
        var apart = (await FaultChecks.ConferencesAsync(p1), await FaultChecks.ConferencesAsync(p2));
        Assert.NotEqual(apart.Item1[shared[0]], apart.Item2[shared[0]]);
        var split = await FaultChecks.VerifyAsync(p1);
        Assert.False(split["inSync"]!.GetValue<bool>(), $"verify during the partition must not say in sync: {split.ToJsonString()}");

        await cluster.Faults.RestoreAsync(p1.Host, p2.Host);
        var held = await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(30), _log.Write);
        ledger.AssertSurvived(held);
        foreach (var name in shared) _log.Write($"{name}: resolved to {held[name]} on both");
        Assert.Equal(await FaultChecks.OwnChecksumsAsync(p1), await FaultChecks.OwnChecksumsAsync(p2));
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(15));
    }

    private static string Value(PeerProcess peer, int k) => peer.Host.Name == "p1" ? $"{10 + k}" : $"{20 + k}";
}
