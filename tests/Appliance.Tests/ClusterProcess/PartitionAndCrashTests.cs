using System.Collections.Concurrent;
using System.Diagnostics;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>A frozen peer (SIGSTOP), simultaneous configuration of both peers, and a crash mid-stream in a cluster.</summary>
public class PartitionAndCrashTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task FrozenPeer_IsUnreachableWithinAboutThreeSeconds_AndCatchesUpWhenItThaws()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        var watch = Stopwatch.StartNew();
        c[1].Pause(); // its TCP connections stay open: only heartbeats can tell
        try
        {
            await c.WaitStatusAsync(0, 1, "Unreachable", TimeSpan.FromSeconds(15));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"a frozen peer detected after {watch.Elapsed.TotalSeconds:0.0} s (design: 3 s)");
            for (var i = 0; i < 20; i++) await c[0].AddConference($"frozen{i}");
        }
        finally
        {
            c[1].Resume();
        }
        await c.WaitAllActiveAsync();
        await Eventually.WaitUntil(async () => (await c[1].Items("conferences")).Count == 20, Settle, "thawed p2 catches up");
    }

    [Fact(Timeout = 150_000)]
    public async Task BothPeersConfiguredAtOnce_WithNoClusterYet_FormOneCluster()
    {
        await using var c = await TestCluster.StartAsync(2);
        await c[0].Add("bridges", "from-p1", ("address", "10.0.0.1"));
        await c[1].Add("bridges", "from-p2", ("address", "10.0.0.2"));
        await Task.WhenAll(
            Task.Run(async () => { await c[0].SetKey(TestCluster.Key); await c[0].SetPeers(c.Address(0), c.Address(1)); }),
            Task.Run(async () => { await c[1].SetKey(TestCluster.Key); await c[1].SetPeers(c.Address(0), c.Address(1)); }));

        await c.WaitAllActiveAsync();
        var id = await c[0].ClusterId();
        Assert.NotEmpty(id);
        Assert.Equal(id, await c[1].ClusterId());
        // One side formed (the lower address), the other joined: both end with the same shared data.
        await Eventually.WaitUntil(async () => (await c[0].Items("bridges")).Keys.Order().SequenceEqual((await c[1].Items("bridges")).Keys.Order()),
            Settle, "same bridges on both peers");
        Assert.Single(await c[0].Items("bridges"));
    }

    [Fact(Timeout = 150_000)]
    public async Task SigKill_DuringWrites_OnAClusteredPeer_EveryAcknowledgedWriteEndsUpOnBothPeers()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        var acknowledged = new ConcurrentQueue<string>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                try { await c[0].AddConference($"w{i}"); }
                catch (IOException) { return; }
                acknowledged.Enqueue($"w{i}");
            }
        });
        await Eventually.WaitUntil(() => Task.FromResult(acknowledged.Count >= 40), Settle, "40 acknowledged writes");
        c[0].Kill();
        await writer.WaitAsync(Settle);

        await c[0].StartAsync();
        await c.WaitAllActiveAsync();
        foreach (var p in c.Peers)
        {
            await Eventually.WaitUntil(async () => acknowledged.All((await p.Items("conferences")).ContainsKey), Settle,
                $"{p.Name} holds all {acknowledged.Count} acknowledged conferences",
                async () => $"missing: {string.Join(",", acknowledged.Except((await p.Items("conferences")).Keys))}");
        }
        // A write the kill cut off before its answer may be stored on p1 all the same; it reaches p2 after the acknowledged ones.
        await Eventually.WaitUntil(async () => (await c[0].Items("conferences")).Count == (await c[1].Items("conferences")).Count, Settle,
            "the same conferences on both peers");
    }
}
