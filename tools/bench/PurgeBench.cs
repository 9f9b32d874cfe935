using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

namespace Appliance.Bench;

/// <summary>
/// Purging 10,000 tombstones (conference-status-sized records added, then deleted) and the file
/// rebuild that gives their space back, on a store that keeps 10,000 live records besides: the
/// rebuild's time grows with what stays, the purge's with what goes.
/// </summary>
internal static class PurgeBench
{
    private const int Records = 10_000;

    public static Task RunAsync()
    {
        using var dir = new TempDir();
        using var store = Store.Open(dir.Sub("store"));
        Write(store, "kept", i => Bench.ConferenceStatus(0, i));
        var before = store.FileBytes;
        Write(store, "gone", i => Bench.ConferenceStatus(1, i));
        var peak = store.FileBytes;
        Write(store, "gone", _ => null);
        var start = Stopwatch.GetTimestamp();
        var purged = store.PurgeTombstones((_, _, _) => true);
        var purgedAt = Stopwatch.GetTimestamp();
        var rebuildMs = store.CompactIfWorthIt(settled: true, out _) ?? throw new InvalidOperationException("no rebuild after purging");
        var after = store.FileBytes;
        if (purged != Records) throw new InvalidOperationException($"purged {purged} tombstones, expected {Records}");
        Console.WriteLine($"{Records} tombstones purged in {Bench.Ms(start, purgedAt):0} ms; file rebuilt in {rebuildMs:0} ms " +
            $"with {Records} live records: {before} bytes before the {Records} came, {peak} with them, {after} after");
        Bench.Report("tombstone-purge", new JsonObject
        {
            ["purge_ms"] = Math.Round(Bench.Ms(start, purgedAt)),
            ["rebuild_ms"] = Math.Round(rebuildMs),
            ["tombstones"] = Records,
            ["live_records"] = Records,
            ["bytes_before"] = before,
            ["bytes_peak"] = peak,
            ["bytes_after"] = after,
        });
        return Task.CompletedTask;
    }

    private static void Write(Store store, string prefix, Func<int, string?> value)
    {
        foreach (var chunk in Enumerable.Range(0, Records).Chunk(1000))
            store.Write(chunk.Select(i => new Mutation(Scopes.Cluster, "conferences", $"{prefix}{i}", value(i))).ToList());
    }
}
