using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;

namespace Appliance.Bench;

/// <summary>
/// The client shapes of api-cluster (issue 19), the same code for every target: sequential writes,
/// write-to-visible on another member, 16 clients with one request each in flight, and a batching
/// client. Values are 200 bytes; keys are fresh for every write.
/// </summary>
internal static class ApiClusterShapes
{
    private const int SequentialWrites = 1500;
    private const int VisibleWrites = 400;
    private const int ConcurrentClients = 16;
    private const int BatchSize = 100;
    private static readonly TimeSpan ThroughputTime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(Seconds("API_CLUSTER_WARMUP_SECONDS", 6));
    /// <summary>
    /// One whole period of the recovery safety net, so every window holds each peer's round exactly
    /// once: a 10 s window held a round or not (the three daemons of one run read 1.0, 1.6 and 1.4 %).
    /// </summary>
    private static readonly TimeSpan IdleTime = TimeSpan.FromSeconds(Seconds("API_CLUSTER_IDLE_SECONDS", (int)ClusterService.SafetyNetInterval.TotalSeconds));
    /// <summary>Replication, logs and tiered JIT settle this long after the load before idle is measured.</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(Seconds("API_CLUSTER_SETTLE_SECONDS", 5));
    private static readonly string Value = new('v', 200);

    public static async Task<JsonObject> RunAsync(IKvTarget target)
    {
        var figures = new JsonObject();
        var run = Guid.NewGuid().ToString("N")[..6];
        await WarmUpAsync(target, run);
        using (var client = await target.ConnectAsync(0))
        {
            var seqFrom = await target.CountersAsync();
            Shape(target, "sequential writes");
            Percentiles(figures, "write", await SequentialAsync(client, SequentialWrites, run));
            figures["write_cpu_ms_per_record"] = CpuMsPerRecord(seqFrom, await target.CountersAsync(), SequentialWrites);

            Shape(target, "write to visible");
            Percentiles(figures, "visible", await VisibleAsync(target, client, VisibleWrites, run));
        }

        var before = await target.CountersAsync();
        Shape(target, "16 clients");
        var concurrent = await ThroughputAsync(target, ConcurrentClients, batch: 1, run);
        double batched;
        Shape(target, "batched");
        try { batched = await ThroughputAsync(target, clients: 1, BatchSize, run); }
        catch (InvalidOperationException e) // a target without a batch form
        {
            Console.WriteLine($"{target.Name}: no batch form: {e.Message}");
            batched = 0;
        }
        var after = await target.CountersAsync();
        figures["writes_per_s_16"] = Bench.Round(concurrent, 0);
        // Over both throughput shapes: on a 2-core host, 2000 ms over the members' sum is the ceiling of records/s.
        figures["throughput_cpu_ms_per_record"] = CpuMsPerRecord(before, after, (concurrent + batched) * ThroughputTime.TotalSeconds);
        figures["batched_records_per_s"] = Bench.Round(batched, 0);
        var records = (concurrent + batched) * ThroughputTime.TotalSeconds;
        if (after.All(c => c.AllocatedBytes is not null))
            figures["alloc_bytes_per_record"] = Bench.Round(after.Select((c, i) => c.AllocatedBytes!.Value - before[i].AllocatedBytes!.Value).Sum() / records, 0);

        await Task.Delay(SettleTime);
        Shape(target, "idle");
        var idleFrom = await target.CountersAsync();
        await Task.Delay(IdleTime);
        var idleTo = await target.CountersAsync();
        figures["idle_cpu_pct"] = new JsonArray(idleTo.Select((c, i) => (JsonNode)Bench.Round((c.CpuSeconds - idleFrom[i].CpuSeconds) / IdleTime.TotalSeconds * 100, 2)).ToArray());
        return figures;
    }

    /// <summary>Each member's CPU time between two readings per record written, in ms, as [member 1, 2, 3] (member 1 takes the writes).</summary>
    private static JsonArray CpuMsPerRecord(IReadOnlyList<(double CpuSeconds, long? AllocatedBytes)> from, IReadOnlyList<(double CpuSeconds, long? AllocatedBytes)> to, double records) =>
        new(to.Select((c, i) => (JsonNode)Bench.Round((c.CpuSeconds - from[i].CpuSeconds) * 1000 / records, 3)).ToArray());

    /// <summary>
    /// Every shape twice, unmeasured, so what is measured is the steady state a long-running member
    /// shows: a daemon fresh from start spent 40-45% of its CPU in the first seconds of load
    /// compiling its hot paths again (tiered JIT, seen with perf: daemon/Applianced/Api/PROTOCOL.md).
    /// Twice, because one round was not enough: the runtime counts calls towards the optimized
    /// tier only once no new code has been compiled for 100 ms, which the first round of every
    /// shape keeps resetting, so the sequential path reached tier 1 during its measurement (35% of
    /// the writer's CPU there in the JIT; EventPipe method loads and perf, PROTOCOL.md).
    /// </summary>
    private static async Task WarmUpAsync(IKvTarget target, string run)
    {
        for (var round = 0; round < 2; round++)
        {
            var tag = $"w{round}{run}";
            using (var client = await target.ConnectAsync(0))
            {
                await SequentialAsync(client, 300, tag);
                await VisibleAsync(target, client, 50, tag);
            }
            await ThroughputAsync(target, ConcurrentClients, batch: 1, tag, WarmUpTime / 2);
            try { await ThroughputAsync(target, clients: 1, BatchSize, tag, WarmUpTime / 4); }
            catch (InvalidOperationException) { } // a target without a batch form: measured (and said) below
        }
        await Task.Delay(SettleTime); // tiered JIT compiles in the background once the calls are counted
        Console.WriteLine($"{target.Name}: warmed up, measuring");
    }

    /// <summary>Latency of each of <paramref name="writes"/> writes, one at a time, in ms.</summary>
    private static async Task<List<double>> SequentialAsync(IKvClient client, int writes, string run)
    {
        var latencies = new List<double>(writes);
        for (var i = 0; i < writes; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.PutAsync($"s-{run}-{i}", Value);
            latencies.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
        }
        return latencies;
    }

    /// <summary>Time from sending each write to member 1 until member 2 shows it, one write at a time, in ms.</summary>
    private static async Task<List<double>> VisibleAsync(IKvTarget target, IKvClient client, int writes, string run)
    {
        using var watch = await target.WatchAsync(1);
        var visible = new List<double>(writes);
        for (var i = 0; i < writes; i++)
        {
            var key = $"v-{run}-{i}";
            var start = Stopwatch.GetTimestamp();
            var seen = WaitForKeyAsync(watch, key);
            await client.PutAsync(key, Value);
            try { await seen.WaitAsync(TimeSpan.FromSeconds(30)); }
            catch (TimeoutException) when (target is DaemonCluster)
            {
                // Late replication and a log line that never came look alike here: say which.
                var waited = Stopwatch.StartNew();
                while (!await watch.HoldsAsync(key) && waited.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(100);
                throw new TimeoutException($"write {i} ({key}) not seen in member 2's log within 30 s; member 2 holds it " +
                    (await watch.HoldsAsync(key) ? $"{waited.Elapsed.TotalSeconds:0.0} s later" : "not even 90 s later"));
            }
            visible.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
        }
        return visible;
    }

    /// <summary>When each shape starts (UTC), so a profiler's window can be cut to one shape.</summary>
    private static void Shape(IKvTarget target, string name) =>
        Console.WriteLine($"{target.Name}: {name} from {DateTime.UtcNow:HH:mm:ss.fff}");

    private static int Seconds(string variable, int byDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var s) && s > 0 ? s : byDefault;

    private static async Task WaitForKeyAsync(IKvWatch watch, string key)
    {
        while (await watch.NextKeyAsync() is var seen && seen != key)
        {
            if (seen == IKvWatch.SomeKeys && await watch.HoldsAsync(key)) return;
        }
    }

    /// <summary>Records per second over <see cref="ThroughputTime"/>: each client writes (batches of) fresh records one request at a time.</summary>
    private static async Task<double> ThroughputAsync(IKvTarget target, int clients, int batch, string run, TimeSpan? time = null)
    {
        var connections = new List<IKvClient>();
        for (var c = 0; c < clients; c++) connections.Add(await target.ConnectAsync(0));
        try
        {
            var until = Stopwatch.GetTimestamp() + (long)((time ?? ThroughputTime).TotalSeconds * Stopwatch.Frequency);
            var written = new long[clients];
            var start = Stopwatch.GetTimestamp();
            await Task.WhenAll(connections.Select((client, c) => Task.Run(async () =>
            {
                for (var n = 0; Stopwatch.GetTimestamp() < until; n++)
                {
                    if (batch == 1) await client.PutAsync($"c-{run}-{c}-{n}", Value);
                    else await client.PutManyAsync(Enumerable.Range(0, batch).Select(b => ($"b-{run}-{n}-{b}", Value)).ToList());
                    written[c] += batch;
                }
            })));
            return written.Sum() / Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        finally
        {
            foreach (var c in connections) c.Dispose();
        }
    }

    private static void Percentiles(JsonObject figures, string name, List<double> values)
    {
        figures[$"{name}_p50_ms"] = Bench.Round(Bench.Percentile(values, 50));
        figures[$"{name}_p99_ms"] = Bench.Round(Bench.Percentile(values, 99));
    }
}
