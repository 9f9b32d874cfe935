using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

namespace Appliance.Bench;

/// <summary>
/// One writer on peer 1 writes conference-status records one at a time (Store.Write, cluster scope);
/// latency is from the start of the Write until peer 2's (and peer 3's) Store.Committed shows the
/// record. Floor: one local durable commit (Store.Write of one record on a standalone store).
/// </summary>
internal static class ReplicationLatencyBench
{
    private const int Writes = 1000;
    private const int Warmup = 100;

    public static async Task RunAsync()
    {
        foreach (var peers in new[] { 2, 3 }) await RunAsync(peers);
    }

    private static async Task RunAsync(int peers)
    {
        var floor = FloorCommitMs();
        await using var cluster = await InProcessCluster.FormAsync(peers);
        var writer = cluster[0].Store;
        var watchers = Enumerable.Range(1, peers - 1).Select(i => new Watcher(cluster[i].Store)).ToList();
        try
        {
            for (var i = 0; i < Warmup; i++) await WriteOneAsync(writer, watchers, $"warm-{i}");
            var toB = new List<double>(Writes);
            var toAll = new List<double>(Writes);
            var commit = new List<double>(Writes);
            for (var i = 0; i < Writes; i++)
            {
                var (start, written, seen) = await WriteOneAsync(writer, watchers, $"lat-{i}");
                commit.Add(Bench.Ms(start, written));
                toB.Add(Bench.Ms(start, seen[0]));
                toAll.Add(Bench.Ms(start, seen.Max()));
            }
            double P(List<double> v, double p) => Bench.Round(Bench.Percentile(v, p));
            Console.WriteLine($"{peers} peers, {Writes} writes: to peer 2 p50 {P(toB, 50)} ms p99 {P(toB, 99)} ms; to all p50 {P(toAll, 50)} ms p99 {P(toAll, 99)} ms");
            Console.WriteLine($"  local Write during the run p50 {P(commit, 50)} ms; floor (standalone durable commit) p50 {floor.P50:0.000} ms p99 {floor.P99:0.000} ms; p50 ratio {Bench.Percentile(toB, 50) / floor.P50:0.0}x");
            Bench.Report("replication-latency", new JsonObject
            {
                ["peers"] = peers,
                ["p50_ms"] = P(toB, 50),
                ["p99_ms"] = P(toB, 99),
                ["all_p50_ms"] = P(toAll, 50),
                ["all_p99_ms"] = P(toAll, 99),
                ["write_p50_ms"] = P(commit, 50),
                ["floor_commit_ms"] = Bench.Round(floor.P50),
                ["floor_commit_p99_ms"] = Bench.Round(floor.P99),
                ["p50_vs_floor"] = Bench.Round(Bench.Percentile(toB, 50) / floor.P50, 2),
                ["target_met"] = Bench.Percentile(toB, 50) <= 2.5 && Bench.Percentile(toB, 99) <= 6,
            });
        }
        finally
        {
            foreach (var w in watchers) w.Dispose();
        }
    }

    private static async Task<(long Start, long Written, long[] Seen)> WriteOneAsync(Store writer, List<Watcher> watchers, string key)
    {
        var waits = watchers.Select(w => w.Expect(key)).ToArray();
        var start = Stopwatch.GetTimestamp();
        writer.Write([new Mutation(Scopes.Cluster, "conferences", key, Bench.ConferenceStatus(0, start))]);
        var written = Stopwatch.GetTimestamp();
        var seen = await Task.WhenAll(waits).WaitAsync(TimeSpan.FromSeconds(10));
        return (start, written, seen);
    }

    /// <summary>Median and p99 of 300 single-record Store.Write calls on a standalone store.</summary>
    public static (double P50, double P99) FloorCommitMs()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Sub("floor"));
        var times = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var start = Stopwatch.GetTimestamp();
            store.Write([new Mutation(Scopes.Cluster, "conferences", $"f{i}", Bench.ConferenceStatus(0, i))]);
            times.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
        }
        return (Bench.Percentile(times.Skip(50).ToList(), 50), Bench.Percentile(times.Skip(50).ToList(), 99));
    }

    /// <summary>Takes the time on the committing thread itself, the moment the record shows in a commit.</summary>
    private sealed class Watcher : IDisposable
    {
        private readonly Store _store;
        private string? _key;
        private TaskCompletionSource<long>? _seen;

        public Watcher(Store store)
        {
            _store = store;
            store.Committed += OnCommitted;
        }

        public Task<long> Expect(string key)
        {
            _seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _key, key);
            return _seen.Task;
        }

        private void OnCommitted(CommitInfo c)
        {
            var now = Stopwatch.GetTimestamp();
            var key = Volatile.Read(ref _key);
            foreach (var r in c.Changed)
                if (r.Key == key && r.Section == "conferences") _seen?.TrySetResult(now);
        }

        public void Dispose() => _store.Committed -= OnCommitted;
    }
}
