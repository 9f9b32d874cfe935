using System.Runtime.InteropServices;
using System.Text.Json;
using Appliance.Daemon.Backup;

namespace Appliance.Daemon.Maintenance;

/// <summary>
/// The file swap of a restore, done while no store is open (at start, before the store opens):
/// <list type="number">
/// <item>staged: the checked store waits as store.db.restore, with restore-pending.json beside it;</item>
/// <item>at the next start the live file gets a second name (hard link store.db.before-restore), then
/// rename(2) puts the restored file over store.db in one step: store.db always exists, either one;</item>
/// <item>once the daemon is up again with the restored store, <see cref="Confirm"/> deletes the old
/// file and the marker. A start that finds a swap never confirmed (the restored store did not come
/// up) puts the old file back.</item>
/// </list>
/// </summary>
public static partial class RestoreSwap
{
    public const string MarkerName = "restore-pending.json";
    public const string StagedName = "store.db.restore";
    public const string BeforeName = "store.db.before-restore";
    // LiteDB keeps committed pages in <name>-log.db until a checkpoint, and the store's journal its
    // newest commits (journal-N.log): neither may be replayed onto the restored file. They are kept
    // aside with the old file, and come back with it.
    private const string LogName = "store-log.db";
    private const string Aside = ".before-restore";

    private static IEnumerable<string> BesideTheFile(string dataDir) => Store.Journal.Files(dataDir).Prepend(Path.Combine(dataDir, LogName)).Where(File.Exists).ToList();

    private sealed record Marker(string State, string Backup, string PeerId, DateTime CreatedUtc);

    public static bool IsPending(string dataDir) => File.Exists(Path.Combine(dataDir, MarkerName));

    internal static void Stage(string dataDir, string stagedFile, BackupManifest manifest)
    {
        if (Path.GetFullPath(stagedFile) != Path.GetFullPath(Path.Combine(dataDir, StagedName)))
            throw new ArgumentException($"the staged store must be {StagedName} in the data directory");
        Write(dataDir, new Marker("staged", $"{manifest.SoftwareVersion}_{manifest.HardwareSerial}_{manifest.CreatedUtc:yyyyMMdd_HHmmss}", manifest.PeerId, manifest.CreatedUtc));
    }

    /// <summary>Call before the store opens. Never throws: problems are reported and the live store is left usable.</summary>
    public static void CompletePending(string dataDir, Action<string> report)
    {
        var markerPath = Path.Combine(dataDir, MarkerName);
        if (!File.Exists(markerPath)) return;
        var live = Path.Combine(dataDir, Store.Store.FileName);
        var before = Path.Combine(dataDir, BeforeName);
        try
        {
            var marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(markerPath)) ?? throw new IOException("empty marker");
            if (marker.State == "swapped")
            {
                // The restored store was swapped in but the daemon never confirmed it: put the old one back.
                if (File.Exists(before))
                {
                    Rename(before, live);
                    foreach (var path in BesideTheFile(dataDir)) File.Delete(path);
                    foreach (var path in Directory.EnumerateFiles(dataDir, "*" + Aside)) File.Move(path, path[..^Aside.Length], overwrite: true);
                }
                File.Delete(markerPath);
                report($"restore of backup {marker.Backup} did not come up; the previous store was put back");
                return;
            }
            var staged = Path.Combine(dataDir, StagedName);
            if (!File.Exists(staged))
            {
                File.Delete(markerPath);
                report($"restore of backup {marker.Backup}: the staged store is missing; nothing was changed");
                return;
            }
            File.Delete(before);
            if (File.Exists(live)) Link(live, before);
            foreach (var path in BesideTheFile(dataDir)) File.Move(path, path + Aside, overwrite: true);
            Write(dataDir, marker with { State = "swapped" });
            Rename(staged, live);
            report($"restore of backup {marker.Backup}: store swapped in (previous store kept as {BeforeName} until the daemon is up)");
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            report($"restore could not complete: {e.Message}; the live store was left as it was");
        }
    }

    /// <summary>The daemon is up with the restored store: the old file and the marker go.</summary>
    public static bool Confirm(string dataDir)
    {
        var markerPath = Path.Combine(dataDir, MarkerName);
        if (!File.Exists(markerPath)) return false;
        var marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(markerPath));
        if (marker?.State != "swapped") return false;
        File.Delete(Path.Combine(dataDir, BeforeName));
        foreach (var path in Directory.EnumerateFiles(dataDir, "*" + Aside)) File.Delete(path);
        File.Delete(markerPath);
        return true;
    }

    private static void Write(string dataDir, Marker marker)
    {
        var path = Path.Combine(dataDir, MarkerName);
        var temp = path + ".tmp";
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(f, marker);
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void Link(string existing, string newName)
    {
        if (link(existing, newName) != 0)
            throw new IOException($"link {existing} -> {newName}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    private static void Rename(string from, string to)
    {
        if (rename(from, to) != 0)
            throw new IOException($"rename {from} -> {to}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldPath, string newPath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string oldPath, string newPath);
}
