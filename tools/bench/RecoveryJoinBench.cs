using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

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
    /// Peers 1 and 3 form a cluster holding 100,000 records; peer 2 (host name, address, key set) then
    /// gets the peer list, and so do the others. Timed from peer 2's list until it holds all the
    /// records. Meanwhile peer 1 writes a record every 20 ms and peer 3 times their arrival: the live
    /// stream on 4372 must not wait for the bulk transfer on 4371.
    /// </summary>
    public static async Task JoinAsync()
    {
        await using var c = new RecoveryCluster(3);
        await c.StartAsync(0);
        await c.PrepareAsync(0);
        await c.SetPeersAsync(0, [c.Addresses[0]]);
        RecoveryCluster.WriteConferences(c[0].Store, "join", JoinRecords);
        await c.StartAsync(2);
        await c.PrepareAsync(2);
        await c.SetPeersAsync(2, [c.Addresses[0], c.Addresses[2]]);
        await c.SetPeersAsync(0, [c.Addresses[0], c.Addresses[2]]);
        await Bench.WaitUntilAsync(() => c.Conferences(2) == c.Conferences(0), TimeSpan.FromSeconds(180), () => "peer 3 holding the records", pollMs: 20);
        await c.StartAsync(1);
        await c.PrepareAsync(1);

        using var live = new LiveWrites(c[0].Store, c[2].Store);
        var start = Stopwatch.GetTimestamp();
        await c.SetPeersAsync(1, c.Addresses);
        await c.SetPeersAsync(0, c.Addresses);
        await c.SetPeersAsync(2, c.Addresses);
        // Progress once a second shows whether the records trickle in or arrive in one late burst.
        using var progress = new Timer(_ => Console.WriteLine($"  {Stopwatch.GetElapsedTime(start).TotalSeconds,6:0.0} s: peer 2 holds {c.Conferences(1).Count} records"),
            null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await Bench.WaitUntilAsync(() => c.Conferences(1).Count >= JoinRecords, TimeSpan.FromSeconds(180),
            () => $"peer 2 holding all {JoinRecords} records (has {c.Conferences(1).Count}; links: {Links(c)})", pollMs: 5);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var liveMs = await live.StopAsync();
        await Bench.WaitUntilAsync(() => c.Conferences(1) == c.Conferences(0) && c.Conferences(2) == c.Conferences(0), TimeSpan.FromSeconds(60),
            () => "all three peers holding the same records", pollMs: 5);
        await Bench.WaitUntilAsync(() => c.Active(0) && c.Active(1) && c.Active(2), TimeSpan.FromSeconds(30), () => $"every link Active ({Links(c)})");
        // The pull logs its byte count just after its last merge, which is what ended the wait.
        await Bench.WaitUntilAsync(() => c.RecoveryEvents().Any(e => e.Contains("peer 2: recovery from", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "peer 2's recovery pull to log its bytes", pollMs: 20);
        foreach (var line in c.RecoveryEvents()) Console.WriteLine($"  {line}");
        double P(double p) => Bench.Round(Bench.Percentile(liveMs, p));
        Console.WriteLine($"join: peer 2 held all {JoinRecords} records {seconds:0.000} s after its peer list was set " +
            $"({c.RecoveryBytes} payload bytes in recovery pulls, peer 3's join included)");
        Console.WriteLine($"  meanwhile {liveMs.Count} live writes on peer 1 reached peer 3 in p50 {P(50)} ms, p99 {P(99)} ms, max {Bench.Round(liveMs.Max())} ms" +
            $" (the local write itself: p50 {Bench.Round(Bench.Percentile(live.WriteMs, 50))} ms, max {Bench.Round(live.WriteMs.Max())} ms)");
        Bench.Report("join", new JsonObject
        {
            ["seconds"] = Bench.Round(seconds),
            ["records"] = JoinRecords,
            ["bytes"] = c.RecoveryBytes,
            ["live_writes"] = liveMs.Count,
            ["live_p50_ms"] = P(50),
            ["live_p99_ms"] = P(99),
            ["live_max_ms"] = Bench.Round(liveMs.Max()),
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

    /// <summary>A record every 20 ms on one store, and the time each takes to commit on another.</summary>
    private sealed class LiveWrites : IDisposable
    {
        private readonly Store _watched;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _written = new();
        private readonly List<double> _latencies = [];
        public List<double> WriteMs { get; } = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _writer;

        public LiveWrites(Store writer, Store watched)
        {
            _watched = watched;
            watched.Committed += OnCommitted;
            _writer = Task.Run(async () =>
            {
                for (var n = 0; !_stop.IsCancellationRequested; n++)
                {
                    var key = $"live-{n}";
                    var at = Stopwatch.GetTimestamp();
                    _written[key] = at;
                    await writer.WriteAsync([new Mutation(Scopes.Cluster, "conferences", key, Bench.ConferenceStatus(0, n))]);
                    lock (_latencies) WriteMs.Add(Bench.Ms(at, Stopwatch.GetTimestamp()));
                    try { await Task.Delay(20, _stop.Token); } catch (OperationCanceledException) { }
                }
            });
        }

        private void OnCommitted(CommitInfo c)
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var r in c.Changed)
                if (_written.TryRemove(r.Key, out var at)) lock (_latencies) _latencies.Add(Bench.Ms(at, now));
        }

        /// <summary>Stops writing; waits for the last writes to arrive and returns every latency in ms.</summary>
        public async Task<List<double>> StopAsync()
        {
            await _stop.CancelAsync();
            await _writer;
            await Bench.WaitUntilAsync(() => _written.IsEmpty, TimeSpan.FromSeconds(30), () => $"{_written.Count} live writes still to arrive on peer 3", pollMs: 5);
            lock (_latencies) return _latencies.ToList();
        }

        public void Dispose()
        {
            _watched.Committed -= OnCommitted;
            _stop.Dispose();
        }
    }
}
