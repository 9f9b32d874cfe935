using Appliance.Daemon.Api;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Cluster;

namespace Appliance.Daemon.Maintenance;

/// <summary>What a restore staged; the swap happens when the daemon restarts.</summary>
public sealed record RestoreStaged(string File, BackupManifest Manifest);

public sealed partial class BackupService
{
    /// <summary>
    /// Checks a backup completely and stages its store beside the live one; nothing of the live
    /// store changes. Refused (with a message naming the cause) when this peer is in a cluster,
    /// the password is wrong, the file is damaged, truncated or not a backup, it belongs to another
    /// hardware serial, or its format or software version is not one this software restores. The
    /// caller then restarts the daemon: <see cref="RestoreSwap.CompletePending"/> swaps the files
    /// while no store is open.
    /// </summary>
    public async Task<RestoreStaged> RestoreAsync(string file, string? password, CancellationToken ct = default)
    {
        if (cluster().Clustered)
            throw new MaintenanceException(ApiException.Conflict,
                "this peer is in a cluster: take it out first (appliancectl cluster leave), restore, then add it again; nothing was changed");
        if (!File.Exists(file))
            throw new MaintenanceException(ApiException.NotFound, $"no such backup file: {file}");
        await _gate.WaitAsync(ct);
        var staging = Path.Combine(store.DataDirectory, $".restore-{Guid.NewGuid():N}");
        try
        {
            if (RestoreSwap.IsPending(store.DataDirectory))
                throw new MaintenanceException(ApiException.Conflict, "a restore is already staged and waits for the restart");
            BackupReader reader;
            try
            {
                reader = await BackupReader.OpenAsync(file, password, staging, ct);
                reader.Verify(serial(), [version]);
            }
            catch (BackupException e)
            {
                throw new MaintenanceException(ApiException.Validation, $"backup {Path.GetFileName(file)} refused: {e.Message}; nothing was changed", e);
            }
            if (!reader.Manifest.Entries.Any(e => e.Name == StoreEntry))
                throw new MaintenanceException(ApiException.Validation, $"backup {Path.GetFileName(file)} holds no {StoreEntry}; nothing was changed");
            var staged = PrepareStore(reader, staging);
            RestoreSwap.Stage(store.DataDirectory, staged, reader.Manifest);
            logs.Event($"restore of {file} (made {reader.Manifest.CreatedUtc:u} by {reader.Manifest.SoftwareVersion}) staged; " +
                       "the daemon restarts to swap the store");
            return new RestoreStaged(file, reader.Manifest);
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
            restored.SetLocal(ClusterSettings.PeersName, null);
            restored.SetLocal(ClusterSettings.ClusterIdName, null);
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
