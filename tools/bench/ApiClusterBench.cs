using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// Issue 19: 3 real applianced processes clustered on loopback, driven through the local API, and a
/// 3-member etcd in the same run with the same client shapes (ApiClusterShapes). One BENCH line per
/// target and one with our figures against etcd's and the issue's goals.
/// </summary>
internal static class ApiClusterBench
{
    public static async Task RunAsync()
    {
        JsonObject ours, etcd;
        await using (var daemons = await DaemonCluster.StartAsync()) ours = await MeasureAsync(daemons);
        // API_CLUSTER_ONLY=applianced: our side alone (profiling it, e.g. under DOTNET_EnableEventPipe).
        if (Environment.GetEnvironmentVariable("API_CLUSTER_ONLY") == "applianced") return;
        await using (var members = await EtcdCluster.StartAsync()) etcd = await MeasureAsync(members);

        var ratios = new JsonObject();
        foreach (var (name, value) in ours)
        {
            if (value is JsonValue v && v.TryGetValue<double>(out var o) && etcd[name] is JsonValue e && e.TryGetValue<double>(out var t) && t > 0)
                ratios[name] = Bench.Round(o / t, 2);
        }
        Console.WriteLine("ours / etcd (below 1 is better for times, above 1 for rates): " + ratios.ToJsonString());
        var idle = ours["idle_cpu_pct"]!.AsArray().Max(n => n!.GetValue<double>());
        Bench.Report("api-cluster", new JsonObject
        {
            ["ours_vs_etcd"] = ratios,
            ["goals_met"] = new JsonObject
            {
                ["write"] = Get(ours, "write_p50_ms") <= 1.0 && Get(ours, "write_p99_ms") <= 5,
                ["visible"] = Get(ours, "visible_p50_ms") <= 1.5 && Get(ours, "visible_p99_ms") <= 5 && Get(ours, "visible_p50_ms") <= Get(etcd, "visible_p50_ms"),
                ["writes_per_s_16"] = Get(ours, "writes_per_s_16") >= 5000,
                ["batched"] = Get(ours, "batched_records_per_s") >= 20_000,
                ["idle_cpu"] = idle < 1,
                ["alloc_per_record"] = Get(ours, "alloc_bytes_per_record") <= 8192,
            },
        });
    }

    private static double Get(JsonObject figures, string name) => figures[name] is JsonValue v ? v.GetValue<double>() : double.NaN;

    private static async Task<JsonObject> MeasureAsync(IKvTarget target)
    {
        Console.WriteLine($"{target.Name}: 3 members up, warming up, then measuring");
        var figures = await ApiClusterShapes.RunAsync(target);
        Console.WriteLine($"{target.Name}: write p50 {figures["write_p50_ms"]} / p99 {figures["write_p99_ms"]} ms; " +
            $"visible on member 2 p50 {figures["visible_p50_ms"]} / p99 {figures["visible_p99_ms"]} ms; " +
            $"16 clients {figures["writes_per_s_16"]} writes/s; batched {figures["batched_records_per_s"]} records/s; " +
            $"idle CPU {figures["idle_cpu_pct"]!.ToJsonString()} % of a core; allocated {figures["alloc_bytes_per_record"]?.ToString() ?? "-"} B/record");
        Bench.Report($"api-cluster-{target.Name}", figures);
        return figures;
    }
}
