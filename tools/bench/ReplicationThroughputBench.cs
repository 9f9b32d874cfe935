using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

namespace Appliance.Bench;

/// <summary>
/// 8 concurrent writers on peer 1 write 200-byte conference-status records for a fixed time;
/// per_s counts records committed on ALL peers, timed until the last peer has every one. Each
/// record is its own write (as the API writes one change per request); a writer keeps up to 64
/// writes in flight, as a status feed that does not wait for each acknowledgement before sending
/// the next, so that together the writers keep one full commit group (Store.MaxWritesPerCommit) in
/// flight. With fewer in flight the figure is the writers' window divided by a write's latency
/// (Little's law), not what the peers sustain. Also shown: 16 in flight per writer (the figure
/// before, about 30 % lower) and 128 (about the same: the peers are saturated at 64), one write at
/// a time per writer, and 100 records per write; and the latency of a write under the sustained
/// load, which is what the deeper window costs.
/// The sustained figure is the median of three windows, and the floor the median of three LiteDB
/// batched-upsert runs (1,000 per durable transaction): on a shared two-core machine one window or
/// one run varies by 10-20 %. The floor runs on a new file; the same floor on a file as large as the
/// peers' is shown beside it (floor_at_peer_size_per_s), for information: the target is judged
/// against the defined floor.
/// allocated_bytes_per_record is the whole process's allocation (every peer and the writers) per
/// record replicated: LiteDB allocates for every index node an insert walks, and the garbage
/// collector's share of the CPU follows this figure.
/// </summary>
internal static class ReplicationThroughputBench
{
    private const int Writers = 8;
    private const int InFlight = Store.MaxWritesPerCommit / Writers;
    private const int ShallowInFlight = 16;
    private const int DeepInFlight = 2 * InFlight;
    private const int Windows = 3;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(4);
    // Long enough for tiered JIT to settle: "sustained" is a daemon that has been running a while.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(6);

    private sealed record Run(double PerS, double WritePerS, double DrainMs, double CpuCores, double[] OpsPerCommit, int[] Collections,
        double AllocatedPerRecord, long Total, double WriteP50Ms, double WriteP99Ms);

    public static async Task RunAsync()
    {
        double[] floors;
        using (var dir = new TempDir())
        {
            StoreCommitBench.WarmLiteDbBatched(dir.Sub("warm"));
            floors = Enumerable.Range(0, 3).Select(i => StoreCommitBench.LiteDbBatchedPerS(dir.Sub($"floor{i}"), 1000, 50)).ToArray();
        }
        var floor = Bench.Percentile(floors, 50);
        Console.WriteLine($"floor: LiteDB batched upserts alone {floor:0}/s (median of {string.Join(", ", floors.Select(f => f.ToString("0")))})");
        foreach (var peers in new[] { 2, 3 })
        {
            await using var cluster = await InProcessCluster.FormAsync(peers);
            // Every write is a new record, so a peer holds about as many records as were written before.
            var written = (await MeasureAsync(cluster, 1, InFlight, "warmup", WarmUp)).Total;
            var windows = new List<(Run Run, long RecordsMidway)>();
            for (var w = 0; w < Windows; w++)
            {
                var window = await MeasureAsync(cluster, 1, InFlight, $"single{w}", Duration);
                windows.Add((window, written + window.Total / 2));
                written += window.Total;
            }
            var (single, recordsMidway) = windows.OrderBy(w => w.Run.PerS).ElementAt(Windows / 2);
            double[] floorsAtSize;
            using (var dir = new TempDir())
                floorsAtSize = StoreCommitBench.LiteDbBatchedPerSAt(dir.Sub("floor-at-size"), recordsMidway, 1000, 50, 3);
            var floorAtSize = Bench.Percentile(floorsAtSize, 50);
            Console.WriteLine($"{peers} peers: LiteDB batched upserts alone into a file already holding {recordsMidway} records, as each peer's did midway " +
                $"through the median window: {floorAtSize:0}/s (median of {string.Join(", ", floorsAtSize.Select(f => f.ToString("0")))}); not the defined floor, shown beside it");
            var shallow = await MeasureAsync(cluster, 1, ShallowInFlight, "shallow", Duration);
            var deep = await MeasureAsync(cluster, 1, DeepInFlight, "deep", Duration);
            var sync = await MeasureAsync(cluster, 1, 1, "sync", Duration);
            var batched = await MeasureAsync(cluster, 100, 1, "batch100", Duration);
            Bench.Report("replication-throughput", new JsonObject
            {
                ["peers"] = peers,
                ["per_s"] = Math.Round(single.PerS),
                ["windows_per_s"] = new JsonArray(windows.Select(w => (JsonNode)Math.Round(w.Run.PerS)).ToArray()),
                ["floor_per_s"] = Math.Round(floor),
                ["floor_runs_per_s"] = new JsonArray(floors.Select(f => (JsonNode)Math.Round(f)).ToArray()),
                ["per_s_vs_floor"] = Bench.Round(single.PerS / floor, 3),
                ["records_per_peer_midway"] = recordsMidway,
                ["floor_at_peer_size_per_s"] = Math.Round(floorAtSize),
                ["per_s_vs_floor_at_peer_size"] = Bench.Round(single.PerS / floorAtSize, 3),
                ["write_per_s"] = Math.Round(single.WritePerS),
                ["drain_ms"] = Math.Round(single.DrainMs),
                ["cpu_cores"] = Bench.Round(single.CpuCores, 2),
                ["gc_collections"] = new JsonArray(single.Collections.Select(c => (JsonNode)c).ToArray()),
                ["allocated_bytes_per_record"] = Math.Round(single.AllocatedPerRecord),
                ["ops_per_commit"] = new JsonArray(single.OpsPerCommit.Select(o => (JsonNode)Bench.Round(o, 1)).ToArray()),
                ["in_flight_per_writer"] = InFlight,
                ["write_p50_ms"] = Bench.Round(single.WriteP50Ms),
                ["write_p99_ms"] = Bench.Round(single.WriteP99Ms),
                [$"in_flight_{ShallowInFlight}_per_s"] = Math.Round(shallow.PerS),
                [$"in_flight_{ShallowInFlight}_vs_floor"] = Bench.Round(shallow.PerS / floor, 3),
                [$"in_flight_{DeepInFlight}_per_s"] = Math.Round(deep.PerS),
                ["one_at_a_time_per_s"] = Math.Round(sync.PerS),
                ["batch100_per_s"] = Math.Round(batched.PerS),
                ["batch100_vs_floor"] = Bench.Round(batched.PerS / floor, 3),
                ["batch100_write_per_s"] = Math.Round(batched.WritePerS),
                ["batch100_drain_ms"] = Math.Round(batched.DrainMs),
                ["target_met"] = single.PerS >= 20_000 && single.PerS >= 0.4 * floor,
            });
        }
    }

    /// <summary>One write, timed from the call until its continuation runs, as an API handler's would.</summary>
    private static async Task<double> TimedWriteAsync(Store store, List<Mutation> batch)
    {
        var start = Stopwatch.GetTimestamp();
        await store.WriteAsync(batch);
        return Bench.Ms(start, Stopwatch.GetTimestamp());
    }

    private static async Task<Run> MeasureAsync(
        InProcessCluster cluster, int perWrite, int inFlight, string label, TimeSpan duration)
    {
        var prefix = $"{label}-";
        var counters = new long[cluster.Count];
        var commits = new long[cluster.Count];
        var handlers = new List<(Store Store, Action<CommitInfo> Handler)>();
        for (var i = 0; i < cluster.Count; i++)
        {
            var index = i;
            Action<CommitInfo> h = c =>
            {
                Interlocked.Add(ref counters[index], c.Changed.Count(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)));
                Interlocked.Increment(ref commits[index]);
            };
            cluster[i].Store.Committed += h;
            handlers.Add((cluster[i].Store, h));
        }
        try
        {
            var store = cluster[0].Store;
            var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            var gcAtStart = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
            var allocatedAtStart = GC.GetTotalAllocatedBytes();
            var start = Stopwatch.GetTimestamp();
            var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            // Writers await their writes, as the API's request handlers do; a blocked thread per
            // writer would spin on every wait, on the cores the peers run on.
            var latencies = new List<double>[Writers];
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                long n = 0;
                var mine = latencies[w] = [];
                var pending = new Queue<Task<double>>();
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var batch = new List<Mutation>(perWrite);
                    for (var k = 0; k < perWrite; k++, n++)
                        batch.Add(new Mutation(Scopes.Cluster, "conferences", $"{prefix}{w}-{n}", Bench.ConferenceStatus(w, n)));
                    pending.Enqueue(TimedWriteAsync(store, batch));
                    if (pending.Count >= inFlight) mine.Add(await pending.Dequeue());
                }
                foreach (var write in pending) mine.Add(await write);
                return n;
            })).ToArray();
            var total = (await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60))).Sum();
            var written = Stopwatch.GetTimestamp();
            await Bench.WaitUntilAsync(() => counters.All(c => Interlocked.Read(ref c) >= total), TimeSpan.FromSeconds(120),
                () => $"all {total} records on every peer (have {string.Join(", ", counters)})", pollMs: 1);
            var done = Stopwatch.GetTimestamp();
            var writeMs = latencies.SelectMany(l => l).ToList();
            var seconds = Stopwatch.GetElapsedTime(start, done).TotalSeconds;
            var cpuCores = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds / seconds;
            var run = new Run(total / seconds, total / Stopwatch.GetElapsedTime(start, written).TotalSeconds, Bench.Ms(written, done), cpuCores,
                counters.Select((c, i) => c / (double)Math.Max(1, commits[i])).ToArray(),
                Enumerable.Range(0, 3).Select(g => GC.CollectionCount(g) - gcAtStart[g]).ToArray(),
                (GC.GetTotalAllocatedBytes() - allocatedAtStart) / (double)Math.Max(1, total), total,
                Bench.Percentile(writeMs, 50), Bench.Percentile(writeMs, 99));
            Console.WriteLine($"{cluster.Count} peers, {Writers} writers x {perWrite}/Write, {inFlight} in flight: {total} records; written {run.WritePerS:0}/s on peer 1, " +
                $"on all peers {run.PerS:0}/s (last peer done {run.DrainMs:0} ms after the writers stopped; {cpuCores:0.00} of {Environment.ProcessorCount} cores busy; " +
                $"records per commit on each peer {string.Join(", ", run.OpsPerCommit.Select(o => o.ToString("0.0")))}; " +
                $"garbage collections gen0/1/2 {string.Join("/", run.Collections)}; {run.AllocatedPerRecord / 1024:0.0} KB allocated per record; " +
                $"a write committed on peer 1 in p50 {run.WriteP50Ms:0.0} ms, p99 {run.WriteP99Ms:0.0} ms)");
            return run;
        }
        finally
        {
            foreach (var (s, h) in handlers) s.Committed -= h;
        }
    }
}
