using Appliance.Daemon.Backup;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Node;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Maintenance;

/// <summary>One backup file as `backup list` shows it.</summary>
public sealed record BackupListing(string Name, string Path, long Bytes, DateTime CreatedUtc, string SoftwareVersion, string Serial, bool Encrypted);

/// <summary>
/// Backups of this peer (R12): a consistent snapshot of the store taken while the daemon runs (the
/// local scope with the cluster key, certificate and peer id lives in the same file, so it comes
/// along), written as a normal backup file into &lt;data&gt;/backups. Logs are not included.
/// Restore is <see cref="RestoreAsync"/> with the swap in <see cref="RestoreSwap"/>.
/// </summary>
public sealed partial class BackupService(Store.Store store, NodeLogs logs, string version, Func<string> serial,
    Func<ClusterSettings> cluster, TimeProvider? time = null)
{
    public const string DirectoryName = "backups";
    public const string StoreEntry = "store.db";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string BackupsDirectory => Path.Combine(store.DataDirectory, DirectoryName);

    /// <summary>Key derivation for encrypted backups (tests cheapen it).</summary>
    internal BackupKdf Kdf { get; set; } = BackupKdf.Default;

    /// <summary>The largest backup file accepted for a restore (an upload is cut off here, while it arrives).</summary>
    public long MaxBackupBytes { get; init; } = DefaultMaxBackupBytes;

    public const long DefaultMaxBackupBytes = 1L << 30;

    /// <summary>Writes a backup of the running store into the backups directory (<paramref name="progress"/>: "snapshot", then BackupWriter's phases).</summary>
    public async Task<BackupResult> CreateAsync(string? password, CancellationToken ct = default, WorkProgress? progress = null)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var snapshot = Path.Combine(store.DataDirectory, $".snapshot-{Guid.NewGuid():N}.db");
            try
            {
                progress?.Begin("snapshot", null);
                store.SnapshotTo(snapshot);
                var result = await WriteAsync(snapshot, password, BackupsDirectory, ct, progress);
                logs.Event($"backup written: {result.Path}{(password is null ? "" : " (encrypted)")}");
                return result;
            }
            finally
            {
                File.Delete(snapshot);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Turns a copy of the store file (e.g. the one taken under the write lock just before a join
    /// resets the store) into a normal backup file in the backups directory; the copy is deleted.
    /// </summary>
    public string ArchiveStoreCopy(string copyPath)
    {
        try
        {
            var result = WriteAsync(copyPath, null, BackupsDirectory, CancellationToken.None).GetAwaiter().GetResult();
            logs.Event($"backup written before joining the cluster: {result.Path}");
            return result.Path;
        }
        finally
        {
            File.Delete(copyPath);
        }
    }

    private async Task<BackupResult> WriteAsync(string storeFile, string? password, string directory, CancellationToken ct, WorkProgress? progress = null)
    {
        // Names carry whole seconds: two backups within one second wait for the next.
        for (var attempt = 0; ; attempt++)
        {
            var writer = new BackupWriter(Identity(), _time) { Kdf = Kdf, Progress = progress }.AddFile(StoreEntry, storeFile);
            try
            {
                return await writer.WriteToDirectoryAsync(directory, password, ct);
            }
            catch (BackupException e) when (e.Error == BackupError.InvalidArgument && e.Message.Contains("already exists") && attempt < 2)
            {
                await Task.Delay(1000 - _time.GetUtcNow().Millisecond + 5, ct);
            }
        }
    }

    private BackupIdentity Identity() => new(version, serial(), store.PeerId, cluster().ClusterId);

    /// <summary>Backup files in the backups directory, newest first.</summary>
    public IReadOnlyList<BackupListing> List()
    {
        if (!Directory.Exists(BackupsDirectory)) return [];
        return Directory.EnumerateFiles(BackupsDirectory)
            .Select(p => (Path: p, Name: BackupFileName.TryParse(Path.GetFileName(p))))
            .Where(x => x.Name is not null)
            .Select(x => new BackupListing(Path.GetFileName(x.Path), x.Path, new FileInfo(x.Path).Length, x.Name!.CreatedUtc,
                x.Name.SoftwareVersion, x.Name.HardwareSerial, x.Name.Encrypted))
            .OrderByDescending(b => b.CreatedUtc).ThenByDescending(b => b.Name, StringComparer.Ordinal)
            .ToList();
    }
}
