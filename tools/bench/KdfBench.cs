using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Crypto;

namespace Appliance.Bench;

/// <summary>
/// The key derivations a peer pays once per key: the cluster secret (Argon2id, key and cluster id)
/// and a backup password key (Argon2id). The floor is the PBKDF2 they replaced (600,000 iterations,
/// the old backup default). CPU time is reported beside wall time: on a shared machine the wall
/// time mostly measures the neighbours.
/// </summary>
internal static class KdfBench
{
    private const int Runs = 3;

    public static async Task RunAsync()
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var floor = await Measure(_ => Task.FromResult(Rfc2898DeriveBytes.Pbkdf2("bench-password"u8, salt, 600_000, HashAlgorithmName.SHA256, 32)));
        // A fresh cluster id per run: the cache would otherwise answer the second run.
        var cluster = await Measure(i => ClusterSecret.DeriveAsync("bench-cluster-key-0123456789", $"bench-{Guid.NewGuid()}-{i}", Argon2Cost.Default));
        var backup = await Measure(_ => BackupKdf.Default.DeriveKeyAsync("bench-password", salt));
        Console.WriteLine($"cluster secret: {cluster.WallMs:0} ms wall, {cluster.CpuMs:0} ms CPU; backup key: {backup.WallMs:0} ms wall, " +
                          $"{backup.CpuMs:0} ms CPU; floor PBKDF2 600k: {floor.WallMs:0} ms wall, {floor.CpuMs:0} ms CPU (medians of {Runs})");
        Bench.Report("kdf", new JsonObject
        {
            ["argon2id"] = BackupKdf.Default.Cost.ToString(),
            ["cluster_secret_ms"] = Bench.Round(cluster.WallMs, 1),
            ["cluster_secret_cpu_ms"] = Bench.Round(cluster.CpuMs, 1),
            ["backup_key_ms"] = Bench.Round(backup.WallMs, 1),
            ["backup_key_cpu_ms"] = Bench.Round(backup.CpuMs, 1),
            ["floor_pbkdf2_600k_ms"] = Bench.Round(floor.WallMs, 1),
            ["floor_pbkdf2_600k_cpu_ms"] = Bench.Round(floor.CpuMs, 1),
            ["cluster_secret_vs_floor_cpu"] = Bench.Round(cluster.CpuMs / floor.CpuMs),
        });
    }

    /// <summary>Median wall and process CPU time of <see cref="Runs"/> runs.</summary>
    private static async Task<(double WallMs, double CpuMs)> Measure<T>(Func<int, Task<T>> derive)
    {
        var wall = new List<double>();
        var cpu = new List<double>();
        var process = Process.GetCurrentProcess();
        for (var i = 0; i < Runs; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var start = Stopwatch.GetTimestamp();
            await derive(i);
            wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
        }
        return (Bench.Percentile(wall, 50), Bench.Percentile(cpu, 50));
    }
}
