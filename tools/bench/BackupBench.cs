using System.Text.Json.Nodes;
using Appliance.Daemon.Maintenance;

namespace Appliance.Bench;

/// <summary>
/// Backup create and restore of a 100,000-record store, plain and encrypted (Argon2id at the
/// default cost). The floor is the time it took to fill the store with batched writes.
/// </summary>
internal static class BackupBench
{
    private const int Records = 100_000;

    public static async Task RunAsync()
    {
        foreach (var password in new[] { null, "bench-backup-password" })
        {
            using var dir = new TempDir();
            var r = await MaintenanceBenchmarks.BackupAndRestoreAsync(dir.Path, Records, password);
            Console.WriteLine($"{(r.Encrypted ? "encrypted" : "plain")}: store {r.StoreBytes / 1e6:0.0} MB -> backup {r.BackupBytes / 1e6:0.0} MB; " +
                              $"create {r.CreateMs:0} ms, restore {r.RestoreMs:0} ms (fill {r.FillMs:0} ms)");
            Bench.Report("backup", new JsonObject
            {
                ["records"] = r.Records,
                ["encrypted"] = r.Encrypted,
                ["create_s"] = Bench.Round(r.CreateMs / 1000),
                ["restore_s"] = Bench.Round(r.RestoreMs / 1000),
                ["backup_mb"] = Bench.Round(r.BackupBytes / 1e6, 1),
                ["store_mb"] = Bench.Round(r.StoreBytes / 1e6, 1),
                ["floor_fill_s"] = Bench.Round(r.FillMs / 1000),
                ["create_vs_fill"] = Bench.Round(r.CreateMs / r.FillMs),
            });
        }
    }
}
