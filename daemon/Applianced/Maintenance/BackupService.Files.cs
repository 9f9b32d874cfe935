using Appliance.Daemon.Api;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Files;

namespace Appliance.Daemon.Maintenance;

public sealed partial class BackupService
{
    /// <summary>
    /// The path of a backup in the backups directory, named as `backup list` names it. A client
    /// names backups, never paths: anything that is not a backup file name is refused by name.
    /// </summary>
    public string PathOf(string name)
    {
        if (BackupFileName.TryParse(name) is null || Path.GetFileName(name) != name)
            throw new MaintenanceException(ApiException.Validation,
                $"\"{Shown(name)}\" is not a backup name (VERSION_SERIAL_yyyyMMdd_HHmmss_backup.tar.gz[.enc], as `backup list` shows)");
        var path = Path.Combine(BackupsDirectory, name);
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
            throw new MaintenanceException(ApiException.NotFound, $"no backup {name} on this peer (see `backup list`)");
        return path;
    }

    /// <summary>A backup's bytes, for a download; the caller disposes the stream.</summary>
    public (Stream Content, long Length) OpenBackup(string name)
    {
        var file = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        return (file, file.Length);
    }

    public void Delete(string name)
    {
        File.Delete(PathOf(name));
        logs.Event($"backup deleted: {name}");
    }

    /// <summary>Copies an upload once into a private file of the data directory, never more than the cap.</summary>
    private async Task<string> ReceiveAsync(Stream upload, CancellationToken ct)
    {
        var path = Path.Combine(store.DataDirectory, $".upload-{Guid.NewGuid():N}.backup");
        try
        {
            await using var file = PrivateFile.CreateNew(path);
            var total = await CappedCopy.CopyAsync(upload, file, MaxBackupBytes,
                () => new MaintenanceException(ApiException.Validation, $"the backup is larger than {MaxBackupBytes} bytes, the most this peer accepts; nothing was changed"), ct);
            if (total == 0)
                throw new MaintenanceException(ApiException.Validation, "the uploaded backup is empty; nothing was changed");
            return path;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>A name as it may be echoed: short, nothing in it that could hide or reorder text.</summary>
    private static string Shown(string name) => Config.TextRules.Escape(name.Length > 80 ? name[..80] : name);
}
