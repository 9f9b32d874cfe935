using Appliance.Daemon.Api;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Maintenance;

/// <summary>What a restore staged; the swap happens when the daemon restarts.</summary>
public sealed record RestoreStaged(string File, BackupManifest Manifest);

public sealed partial class BackupService
{
    /// <summary>Smallest extraction always allowed, whatever the archive's size: a store with little in it compresses far.</summary>
    internal const long ExtractFloorBytes = 64L << 20;

    /// <summary>Above the floor, the entries may unpack to at most this many times the archive's size.</summary>
    internal const int MaxCompressionRatio = 100;

    /// <summary>Refused before any data moves when a restore cannot be done now (the API's upload precheck).</summary>
    public void CheckCanRestore()
    {
        if (cluster().Clustered)
            throw new MaintenanceException(ApiException.Conflict,
                "this peer is in a cluster: take it out first (appliancectl cluster leave), restore, then add it again; nothing was changed");
        if (RestoreSwap.IsPending(store.DataDirectory))
            throw new MaintenanceException(ApiException.Conflict, "a restore is already staged and waits for the restart");
    }

    /// <summary>
    /// What a backup of <paramref name="archiveBytes"/> may unpack to: its size times the ratio (with
    /// a floor for small stores), at most four times the largest backup accepted, and never more
    /// than the data directory's disk has free, with room to spare for the store itself.
    /// </summary>
    private long MaxExtractedBytes(long archiveBytes)
    {
        var byRatio = Math.Max(ExtractFloorBytes, Math.Min(MaxBackupBytes, archiveBytes) * MaxCompressionRatio);
        var free = new DriveInfo(store.DataDirectory).AvailableFreeSpace - ExtractFloorBytes;
        return Math.Max(0, Math.Min(Math.Min(byRatio, 4 * MaxBackupBytes), free));
    }

    /// <summary>Restores a backup of the backups directory, named as `backup list` shows it.</summary>
    public async Task<RestoreStaged> RestoreAsync(string name, string? password, CancellationToken ct = default, WorkProgress? progress = null)
    {
        CheckCanRestore();
        return await RestoreFileAsync(PathOf(name), name, password, ct, progress);
    }

    /// <summary>Restores uploaded bytes: they are copied once into a private file, and that copy is what is checked and restored.</summary>
    public async Task<RestoreStaged> RestoreUploadAsync(Stream upload, string? password, CancellationToken ct = default, WorkProgress? progress = null)
    {
        CheckCanRestore();
        var received = await ReceiveAsync(upload, ct);
        try { return await RestoreFileAsync(received, "uploaded backup", password, ct, progress); }
        finally { File.Delete(received); }
    }

    /// <summary>
    /// Checks a backup completely and stages its store beside the live one; nothing of the live
    /// store changes. Refused (with a message naming the cause) when this peer is in a cluster,
    /// the password is wrong, the file is damaged, truncated or not a backup, it belongs to another
    /// hardware serial, its format or software version is not one this software restores, or it
    /// unpacks to more than its limits; serial, version and sizes are checked on the manifest,
    /// before anything is extracted. The caller then restarts the daemon:
    /// <see cref="RestoreSwap.CompletePending"/> swaps the files while no store is open.
    /// </summary>
    /// <remarks>Progress: "extracting" (bytes of the backup file read: decrypted, unpacked and checked).</remarks>
    private async Task<RestoreStaged> RestoreFileAsync(string file, string what, string? password, CancellationToken ct, WorkProgress? progress)
    {
        await _gate.WaitAsync(ct);
        var staging = Path.Combine(store.DataDirectory, $".restore-{Guid.NewGuid():N}");
        try
        {
            CheckCanRestore();
            BackupReader reader;
            try
            {
                var limits = new BackupReadLimits
                {
                    CheckManifest = m => BackupReader.Verify(m, serial(), [version]),
                    MaxExtractedBytes = MaxExtractedBytes(new FileInfo(file).Length),
                };
                await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
                progress?.Begin("extracting", input.Length);
                reader = await BackupReader.OpenAsync(ProgressStream.Wrap(input, progress), password, staging, limits, ct);
            }
            catch (BackupException e)
            {
                throw new MaintenanceException(ApiException.Validation, $"{what} refused: {e.Message}; nothing was changed", e);
            }
            if (!reader.Manifest.Entries.Any(e => e.Name == StoreEntry))
                throw new MaintenanceException(ApiException.Validation, $"{what} holds no {StoreEntry}; nothing was changed");
            var staged = PrepareStore(reader, staging);
            RestoreSwap.Stage(store.DataDirectory, staged, reader.Manifest);
            logs.Event($"restore of {what} (made {reader.Manifest.CreatedUtc:u} by {reader.Manifest.SoftwareVersion}) staged; " +
                       "the daemon restarts to swap the store");
            return new RestoreStaged(what, reader.Manifest);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            _gate.Release();
        }
    }

    /// <summary>
    /// Opens the extracted store as a store (a file that does not open is refused here, not at the
    /// restart) and clears its cluster settings: the peer comes back standalone, and joining a
    /// cluster afterwards adopts the cluster's data and reconciles through recovery (R9).
    /// </summary>
    private string PrepareStore(BackupReader reader, string staging)
    {
        var extracted = Path.Combine(staging, "store");
        Directory.CreateDirectory(extracted);
        File.Move(reader.EntryPath(StoreEntry), Path.Combine(extracted, Store.Store.FileName));
        try
        {
            using var restored = Store.Store.Open(extracted);
            if (restored.PeerId != reader.Manifest.PeerId)
                throw new MaintenanceException(ApiException.Validation,
                    $"the store in the backup belongs to peer {restored.PeerId}, the manifest names {reader.Manifest.PeerId}; nothing was changed");
            restored.SetLocal(ClusterSettings.KeyName, null);
            restored.SetLocal(ClusterSettings.SecretName, null);
            restored.SetLocal(ClusterSettings.PeersName, null);
            restored.SetLocal(ClusterSettings.ClusterIdName, null);
            // A session logged out since the backup must not come back with it.
            restored.SetLocal(Store.Store.WebSessionsKey, null);
        }
        catch (Store.StoreOpenException e)
        {
            throw new MaintenanceException(ApiException.Validation, $"the store in the backup does not open: {e.Message}; nothing was changed", e);
        }
        var staged = Path.Combine(store.DataDirectory, RestoreSwap.StagedName);
        File.Delete(staged);
        File.Move(Path.Combine(extracted, Store.Store.FileName), staged);
        return staged;
    }
}
