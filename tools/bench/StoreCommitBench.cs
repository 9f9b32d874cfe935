using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;
using LiteDB;

namespace Appliance.Bench;

/// <summary>
/// Store.Write cost for one record per Write and for 1,000 per Write (200-byte values), against the
/// raw LiteDB floor doing the same durable work: upserts, commit, checkpoint.
/// </summary>
internal static class StoreCommitBench
{
    private const int Singles = 300;
    private const int Batch = 1000;
    private const int Batches = 20;

    public static Task RunAsync()
    {
        using var dir = new TempDir();
        // Warm-up, so that no figure pays for JIT compiling LiteDB's paths first.
        Bench.WarmUp(TimeSpan.FromSeconds(1), i => LiteDbSingleMs(dir.Sub($"warm1-{i}"), 20));
        WarmLiteDbBatched(dir.Sub("warm2"));
        Bench.WarmUp(TimeSpan.FromSeconds(1), i => LiteDbStoreShapedPerS(dir.Sub($"warm3-{i}"), 1000, 2));
        using (var warm = Store.Open(dir.Sub("warm4")))
        {
            Bench.WarmUp(TimeSpan.FromSeconds(2), b => warm.Write(b % 2 == 0
                ? [new Mutation(Scopes.Cluster, "conferences", $"w{b}", Bench.ConferenceStatus(0, b))]
                : Enumerable.Range(0, 1000).Select(i => new Mutation(Scopes.Cluster, "conferences", $"w{b}-{i}", Bench.ConferenceStatus(b, i))).ToList()));
        }
        var (single, batchPerS, singleCost, batchCost) = MeasureStore(dir.Sub("store"));
        var floorSingle = LiteDbSingleMs(dir.Sub("floor1"), Singles);
        var floorPerS = LiteDbBatchedPerS(dir.Sub("floor2"), Batch, Batches);
        var shapedPerS = LiteDbStoreShapedPerS(dir.Sub("floor3"), Batch, Batches);
        Console.WriteLine($"Store.Write, 1 record: p50 {single.P50:0.000} ms, p99 {single.P99:0.000} ms (LiteDB upsert+commit+checkpoint floor p50 {floorSingle.P50:0.000} ms)");
        Console.WriteLine($"Store.Write, {Batch} records: {batchPerS:0} records/s (LiteDB batched floor {floorPerS:0}/s, {100 * batchPerS / floorPerS:0}% of floor)");
        Console.WriteLine($"LiteDB alone doing what Store.Write stores per record (record with its log index, version per batch): {shapedPerS:0}/s");
        Bench.Report("store-commit", new JsonObject
        {
            ["single_ms"] = Bench.Round(single.P50),
            ["single_p99_ms"] = Bench.Round(single.P99),
            ["batch_per_s"] = Math.Round(batchPerS),
            ["floor_single_ms"] = Bench.Round(floorSingle.P50),
            ["floor_batch_per_s"] = Math.Round(floorPerS),
            ["shaped_batch_per_s"] = Math.Round(shapedPerS),
            ["single_vs_floor"] = Bench.Round(single.P50 / floorSingle.P50, 2),
            ["single_cpu_us"] = Math.Round(singleCost.CpuUs),
            ["single_alloc_bytes"] = Math.Round(singleCost.Bytes),
            ["batch_cpu_us_per_record"] = Bench.Round(batchCost.CpuUs),
            ["batch_alloc_bytes_per_record"] = Math.Round(batchCost.Bytes),
            ["batch_vs_floor"] = Bench.Round(batchPerS / floorPerS, 2),
        });
        return Task.CompletedTask;
    }

    private static ((double P50, double P99) Single, double BatchPerS, Cost SingleCost, Cost BatchCost) MeasureStore(string path)
    {
        var times = new List<double>(Singles);
        var singleCost = Cost.Of(() =>
        {
            // Closing the store is measured too: the journal's deferred move into the file is part of each write's cost.
            using var store = Store.Open(path + "-1");
            for (var i = 0; i < Singles; i++)
            {
                var start = Stopwatch.GetTimestamp();
                store.Write([new Mutation(Scopes.Cluster, "conferences", $"s{i}", Bench.ConferenceStatus(0, i))]);
                times.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
            }
        }, Singles);
        var sw = new Stopwatch();
        var batchCost = Cost.Of(() =>
        {
            using var store = Store.Open(path + "-2");
            sw.Start();
            for (var b = 0; b < Batches; b++)
                store.Write(Enumerable.Range(0, Batch).Select(i => new Mutation(Scopes.Cluster, "conferences", $"b{b}-{i}", Bench.ConferenceStatus(b, i))).ToList());
            sw.Stop();
        }, Batch * Batches);
        Console.WriteLine($"Store.Write CPU and allocation per record, all threads, close included: 1 per write {singleCost}; {Batch} per write {batchCost}");
        return ((Bench.Percentile(times, 50), Bench.Percentile(times, 99)), Batch * Batches / sw.Elapsed.TotalSeconds, singleCost, batchCost);
    }

    /// <summary>Process CPU time and bytes allocated (every thread) per record over a piece of work.</summary>
    private sealed record Cost(double CpuUs, double Bytes)
    {
        public static Cost Of(Action work, int records)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var bytes = GC.GetTotalAllocatedBytes(precise: true);
            work();
            return new Cost((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / records,
                (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / records);
        }

        public override string ToString() => $"{CpuUs:0} us CPU, {Bytes:0} B";
    }

    private static LiteDatabase OpenRaw(string dir)
    {
        Directory.CreateDirectory(dir);
        return new LiteDatabase(new ConnectionString { Filename = Path.Combine(dir, "floor.db"), Connection = ConnectionType.Direct });
    }

    /// <summary>One record per transaction, made durable as Store.Write makes it (commit + checkpoint).</summary>
    public static (double P50, double P99) LiteDbSingleMs(string dir, int count)
    {
        using var db = OpenRaw(dir);
        var col = db.GetCollection("records");
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            db.BeginTrans();
            col.Upsert(new BsonDocument { ["_id"] = $"cluster|conferences|s{i}", ["v"] = Bench.ConferenceStatus(0, i) });
            db.Commit();
            db.Checkpoint();
            times.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
        }
        return (Bench.Percentile(times, 50), Bench.Percentile(times, 99));
    }

    /// <summary>Runs the batched floor for 2 s, so that its measurement runs LiteDB's optimized code.</summary>
    public static void WarmLiteDbBatched(string dir) =>
        Bench.WarmUp(TimeSpan.FromSeconds(2), i => LiteDbBatchedPerS(Path.Combine(dir, $"{i}"), 1000, 5));

    /// <summary>The floor of the design: LiteDB batched upserts alone, <paramref name="batch"/> per durable transaction.</summary>
    public static double LiteDbBatchedPerS(string dir, int batch, int batches)
    {
        using var db = OpenRaw(dir);
        return UpsertBatchesPerS(db, "b", batch, batches);
    }

    /// <summary>
    /// The same floor on a file that already holds <paramref name="prefill"/> records, as the peers'
    /// files do while they are measured (LiteDB's index walk and the pages it reads grow with the
    /// file): <paramref name="runs"/> measurements one after the other on the one prefilled file.
    /// </summary>
    public static double[] LiteDbBatchedPerSAt(string dir, long prefill, int batch, int batches, int runs)
    {
        using var db = OpenRaw(dir);
        UpsertBatchesPerS(db, "p", 1000, (int)(prefill / 1000));
        return Enumerable.Range(0, runs).Select(r => UpsertBatchesPerS(db, $"r{r}-", batch, batches)).ToArray();
    }

    private static double UpsertBatchesPerS(LiteDatabase db, string prefix, int batch, int batches)
    {
        var col = db.GetCollection("records");
        var sw = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            db.BeginTrans();
            for (var i = 0; i < batch; i++)
                col.Upsert(new BsonDocument { ["_id"] = $"cluster|conferences|{prefix}{b}-{i}", ["v"] = Bench.ConferenceStatus(b, i) });
            db.Commit();
            db.Checkpoint();
        }
        return batch * batches / sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Raw LiteDB doing the document work of Store.Write (insert the record, which is also its
    /// op-log entry, with the Int64 log index; one version upsert per batch): separates LiteDB's cost
    /// of that shape from the Store's own code.
    /// </summary>
    public static double LiteDbStoreShapedPerS(string dir, int batch, int batches)
    {
        using var db = OpenRaw(dir);
        var records = db.GetCollection("records");
        var meta = db.GetCollection("meta");
        records.EnsureIndex("os", "$.os");
        long seq = 0;
        var sw = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            db.BeginTrans();
            for (var i = 0; i < batch; i++)
            {
                records.Insert(new BsonDocument
                {
                    ["_id"] = $"cluster/conferences/b{b}-{i}", ["v"] = Bench.ConferenceStatus(b, i), ["h"] = ++seq,
                    ["o"] = "peer", ["os"] = (1L << 48) | seq, ["ph"] = 0L, ["po"] = "",
                });
            }
            meta.Upsert(new BsonDocument { ["_id"] = "vv:peer", ["s"] = seq });
            db.Commit();
            db.Checkpoint();
        }
        return batch * batches / sw.Elapsed.TotalSeconds;
    }
}
