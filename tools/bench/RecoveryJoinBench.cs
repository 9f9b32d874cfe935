using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// Membership figures of DESIGN.md 8 with in-process peers: a new peer joining a 100,000-record
/// cluster, and a peer coming back (link restored) until it is Active and caught up.
/// </summary>
internal static class RecoveryJoinBench
{
    private const int JoinRecords = 100_000;
    private const int WhileAway = 1_000;

    /// <summary>
    /// Peer 1 forms a cluster of one and holds 100,000 records; peer 2 (host name, address, key set)
    /// gets the peer list, then peer 1 too. Timed from peer 2's list until it holds all the records.
    /// </summary>
    public static async Task JoinAsync()
    {
        await using var c = new RecoveryCluster(2);
        await c.StartAsync(0);
        await c.PrepareAsync(0);
        await c.SetPeersAsync(0, [c.Addresses[0]]);
        RecoveryCluster.WriteConferences(c[0].Store, "join", JoinRecords);
        await c.StartAsync(1);
        await c.PrepareAsync(1);

        var start = Stopwatch.GetTimestamp();
        await c.SetPeersAsync(1, c.Addresses);
        await c.SetPeersAsync(0, c.Addresses);
        // Progress once a second shows whether the records trickle in or arrive in one late burst.
        using var progress = new Timer(_ => Console.WriteLine($"  {Stopwatch.GetElapsedTime(start).TotalSeconds,6:0.0} s: peer 2 holds {c.Conferences(1).Count} records"),
            null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await Bench.WaitUntilAsync(() => c.Conferences(1) == c.Conferences(0), TimeSpan.FromSeconds(180),
            () => $"peer 2 holding all {JoinRecords} records (has {c.Conferences(1).Count}; links: {Links(c)})", pollMs: 5);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Bench.WaitUntilAsync(() => c.Active(0) && c.Active(1), TimeSpan.FromSeconds(30), () => $"both links Active ({Links(c)})");
        // The pull logs its byte count just after its last merge, which is what ended the wait.
        await Bench.WaitUntilAsync(() => c.RecoveryEvents().Any(e => e.Contains("peer 2: recovery from", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "peer 2's recovery pull to log its bytes", pollMs: 20);
        foreach (var line in c.RecoveryEvents()) Console.WriteLine($"  {line}");
        Console.WriteLine($"join: peer 2 held all {JoinRecords} records {seconds:0.000} s after its peer list was set " +
            $"({c.RecoveryBytes} payload bytes in the recovery pulls of both peers)");
        Bench.Report("join", new JsonObject
        {
            ["seconds"] = Bench.Round(seconds),
            ["records"] = JoinRecords,
            ["bytes"] = c.RecoveryBytes,
            ["target_met"] = seconds < 5,
        });
    }

    /// <summary>
    /// Peer 2 stops, peer 1 takes 1,000 writes, peer 2 starts again: timed from its start until both
    /// links are Active and it holds every write (the live stream's catch-up from the log).
    /// </summary>
    public static async Task ReconnectAsync()
    {
        await using var c = new RecoveryCluster(2);
        await RecoveryBench.FormAsync(c);
        await c.StopAsync(1);
        RecoveryCluster.WriteConferences(c[0].Store, "away", WhileAway);
        var start = Stopwatch.GetTimestamp();
        await c.StartAsync(1);
        var started = Stopwatch.GetTimestamp();
        await Bench.WaitUntilAsync(() => c.Active(0) && c.Active(1) && c.Conferences(1) == c.Conferences(0), TimeSpan.FromSeconds(60),
            () => $"peer 2 Active and caught up (has {c.Conferences(1).Count} of {c.Conferences(0).Count}; links: {Links(c)})", pollMs: 2);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Console.WriteLine($"reconnect: Active and caught up on {WhileAway} writes {seconds:0.000} s after peer 2 started " +
            $"(its start took {Bench.Ms(start, started):0} ms)");
        Bench.Report("reconnect", new JsonObject
        {
            ["seconds"] = Bench.Round(seconds),
            ["writes_missed"] = WhileAway,
            ["start_ms"] = Math.Round(Bench.Ms(start, started)),
            ["target_met"] = seconds < 2,
        });
    }

    private static string Links(RecoveryCluster c) => string.Join("; ", Enumerable.Range(0, c.Addresses.Count).Select(i =>
    {
        try { return $"peer {i + 1}: " + string.Join(", ", c[i].Cluster.Links.Select(l => $"{l.Address} {l.Status()}")); }
        catch (InvalidOperationException) { return $"peer {i + 1}: stopped"; }
    }));
}
