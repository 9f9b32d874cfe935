using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

namespace Appliance.Bench;

/// <summary>
/// Two peers. Peer 2 stops (its node and store go away, as when the process ends): time until peer 1's
/// link leaves Active (detect_s) and says Unreachable. Then peer 1 writes 1,000 records, peer 2
/// restarts on the same data dir: time until both links are Active and peer 2 has all 1,000 (reconnect_s).
/// </summary>
internal static class FailoverBench
{
    private const int Records = 1000;

    public static async Task RunAsync()
    {
        var figures = new JsonObject();
        Exception? failed = null;
        try
        {
            await InProcessAsync(figures);
        }
        catch (Exception e)
        {
            failed = e;
            figures["error"] = e.Message;
            Console.WriteLine($"in-process failover FAILED: {e.Message}");
        }
        try
        {
            await FailoverProcesses.MeasureAsync(figures);
        }
        catch (Exception e)
        {
            failed ??= e;
            figures["process_error"] = e.Message;
            Console.WriteLine($"failover with processes FAILED: {e.Message}");
        }
        Bench.Report("failover", figures);
        if (failed is not null) throw new InvalidOperationException("failover did not complete; the BENCH line has the figures measured before", failed);
    }

    private static async Task InProcessAsync(JsonObject figures)
    {
        await using var cluster = await InProcessCluster.FormAsync(2);
        var link = cluster[0].Cluster.Links.Single();
        var stop = Stopwatch.GetTimestamp();
        var stopping = cluster.StopPeerAsync(1);
        await Bench.WaitUntilAsync(() => !link.Active, TimeSpan.FromSeconds(30), "peer 1 noticing peer 2 is gone", pollMs: 1);
        var detected = Stopwatch.GetTimestamp();
        await Bench.WaitUntilAsync(() => link.Unreachable, TimeSpan.FromSeconds(30), () => $"peer 1 calling peer 2 Unreachable (says {link.Status()})", pollMs: 1);
        var unreachable = Stopwatch.GetTimestamp();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        var stopped = Stopwatch.GetTimestamp();

        for (var i = 0; i < Records; i++)
            cluster[0].Store.Write([new Mutation(Scopes.Cluster, "conferences", $"fo-{i}", Bench.ConferenceStatus(0, i))]);

        long received = 0;
        var restart = Stopwatch.GetTimestamp();
        await cluster.StartPeerAsync(1, store => store.Committed += c =>
            Interlocked.Add(ref received, c.Changed.Count(r => r.Key.StartsWith("fo-", StringComparison.Ordinal))));
        var started = Stopwatch.GetTimestamp();
        await Bench.WaitUntilAsync(() => cluster.AllActive(0) && cluster.AllActive(1) && Interlocked.Read(ref received) >= Records,
            TimeSpan.FromSeconds(20), () => $"peer 2 Active with all {Records} records (has {Interlocked.Read(ref received)}; {cluster.LinkStates()})", pollMs: 1);
        var caughtUp = Stopwatch.GetTimestamp();
        var missing = Enumerable.Range(0, Records).Count(i => cluster[1].Store.Get(Scopes.Cluster, "conferences", $"fo-{i}") is null);
        if (missing > 0) throw new InvalidOperationException($"peer 2 counts {Records} but lacks {missing} records");

        double S(long a, long b) => Bench.Round(Bench.Ms(a, b) / 1000, 3);
        Console.WriteLine($"peer 2 stopped: peer 1 left Active after {S(stop, detected)} s, says Unreachable after {S(stop, unreachable)} s (stop itself took {S(stop, stopped)} s)");
        Console.WriteLine($"  (the stop closes the TLS sessions, so this is close detection; a silent peer is found by heartbeats after {Appliance.Daemon.Cluster.ClusterService.DeadAfter.TotalSeconds} s)");
        Console.WriteLine($"peer 2 restarted: node started after {S(restart, started)} s, Active with all {Records} records after {S(restart, caughtUp)} s");
        figures["detect_s"] = S(stop, detected);
        figures["unreachable_s"] = S(stop, unreachable);
        figures["reconnect_s"] = S(restart, caughtUp);
        figures["restart_start_s"] = S(restart, started);
        figures["heartbeat_dead_after_s"] = Appliance.Daemon.Cluster.ClusterService.DeadAfter.TotalSeconds;
    }
}
