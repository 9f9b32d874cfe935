namespace Appliance.Daemon.Backup;

/// <summary>
/// Whole operations on real files for tools/bench to time: a backup of a store file plus a small
/// secrets entry, and reading it back with every check. Key derivation alone is
/// <see cref="BackupKdf.DeriveKeyAsync"/>; the cipher alone is <see cref="BackupCipher.EncryptAsync"/>
/// / <see cref="BackupCipher.DecryptAsync"/>.
/// </summary>
public static class BackupBenchmarks
{
    /// <summary>Writes a backup of <paramref name="storePath"/> (as store.db) and <paramref name="secrets"/> into <paramref name="directory"/>.</summary>
    public static async Task<BackupResult> WriteAsync(string directory, string storePath, byte[] secrets, string? password,
        BackupKdf? kdf = null, CancellationToken ct = default)
    {
        await using var store = new FileStream(storePath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        var writer = new BackupWriter(new BackupIdentity("0.0.0-bench", "BENCH0001", "bench-peer", null)) { Kdf = kdf ?? BackupKdf.Default }
            .Add("store.db", store)
            .Add("secrets.json", secrets);
        return await writer.WriteToDirectoryAsync(directory, password, ct).ConfigureAwait(false);
    }

    /// <summary>Reads and checks a backup; extracts when <paramref name="extractDirectory"/> is given.</summary>
    public static async Task<BackupManifest> ReadAsync(string path, string? password, string? extractDirectory, CancellationToken ct = default) =>
        (await BackupReader.OpenAsync(path, password, extractDirectory, ct).ConfigureAwait(false)).Manifest;
}
