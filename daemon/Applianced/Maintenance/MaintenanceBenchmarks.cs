using System.Diagnostics;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Maintenance;

/// <summary>Figures of one backup/restore benchmark run (milliseconds, bytes).</summary>
public sealed record BackupBenchResult(int Records, bool Encrypted, long StoreBytes, long BackupBytes,
    double FillMs, double CreateMs, double RestoreCheckMs, double SwapAndOpenMs)
{
    public double RestoreMs => RestoreCheckMs + SwapAndOpenMs;
}

/// <summary>
/// For tools/bench: the whole backup path on a real store of <c>records</c> records: create (snapshot
/// + archive [+ encrypt]) while the store is open, then restore (full check + staging) and the swap
/// with the store reopened, as the daemon does across its restart. The floor to compare with is
/// <see cref="BackupBenchResult.FillMs"/> (batched writes of the same records).
/// </summary>
public static class MaintenanceBenchmarks
{
    public static async Task<BackupBenchResult> BackupAndRestoreAsync(string directory, int records, string? password, CancellationToken ct = default)
    {
        var data = Path.Combine(directory, "data");
        var logs = new NodeLogs(Path.Combine(directory, "logs"), 1 << 20, TimeProvider.System);
        var store = Store.Store.Open(data);
        try
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < records; i += 1000)
            {
                var batch = Enumerable.Range(i, Math.Min(1000, records - i))
                    .Select(n => new Mutation(Scopes.Cluster, "bench", $"item{n:D7}", $"{{\"name\":\"item {n}\",\"value\":{n},\"pad\":\"{new string('x', 64)}\"}}"))
                    .ToList();
                store.Write(batch);
            }
            var fill = sw.Elapsed.TotalMilliseconds;
            var service = new BackupService(store, logs, "0.0.0-bench", () => "BENCH0001", () => ClusterSettings.Load(store));
            sw.Restart();
            var backup = await service.CreateAsync(password, ct).ConfigureAwait(false);
            var create = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            await service.RestoreAsync(Path.GetFileName(backup.Path), password, ct).ConfigureAwait(false);
            var check = sw.Elapsed.TotalMilliseconds;
            var storeBytes = new FileInfo(store.FilePath).Length;
            store.Dispose();
            sw.Restart();
            RestoreSwap.CompletePending(data, _ => { });
            store = Store.Store.Open(data);
            if (store.RecordCount < records) throw new InvalidOperationException($"restored store holds {store.RecordCount} records, expected {records}");
            RestoreSwap.Confirm(data);
            var swap = sw.Elapsed.TotalMilliseconds;
            return new BackupBenchResult(records, password is not null, storeBytes, new FileInfo(backup.Path).Length, fill, create, check, swap);
        }
        finally
        {
            store.Dispose();
        }
    }
}
