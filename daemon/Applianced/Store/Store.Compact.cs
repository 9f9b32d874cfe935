using System.Diagnostics;

namespace Appliance.Daemon.Store;

/// <summary>
/// Giving the space of purged records back to the file system. LiteDB 5 keeps freed pages in the
/// file for reuse and never truncates it; only a rebuild (a new file holding the live documents,
/// renamed over the old one) shrinks it. A rebuild holds every reader and writer for its duration,
/// which grows with the live data, not with what was purged (measured: tools/bench `tombstone-purge`), so it
/// runs on the purger's thread, never on the committer's, and only when enough was removed to be
/// worth it.
/// </summary>
public sealed partial class Store
{
    /// <summary>The bytes the store takes on disk: the file, LiteDB's log and the journal beside it.</summary>
    public long FileBytes
    {
        get
        {
            var log = new FileInfo(LogFilePath(FilePath));
            return new FileInfo(FilePath).Length + (log.Exists ? log.Length : 0)
                // A segment the flusher deletes meanwhile counts nothing (FileInfo keeps what Exists read).
                + Journal.Files(DataDirectory).Select(f => new FileInfo(f)).Sum(f => f.Exists ? f.Length : 0);
        }
    }

    /// <summary>Records removed (purged or dropped) since the file was last rebuilt.</summary>
    private long _removedSinceCompact;

    /// <summary>Fewer removed records than this are not worth a rebuild: LiteDB reuses their pages for the next writes.</summary>
    public const int CompactAfterRemoved = 100;

    /// <summary>
    /// Rebuilds the file when records were removed since the last rebuild: at least
    /// <see cref="CompactAfterRemoved"/> once purging has <paramref name="settled"/> (a pass that purged
    /// nothing: one rebuild for a whole burst of acknowledgements), or during a burst when more were
    /// removed than remain. Returns the milliseconds it took, or null when it did not run (with the
    /// reason in <paramref name="skipped"/> when it was due).
    /// </summary>
    public double? CompactIfWorthIt(bool settled, out string? skipped)
    {
        skipped = null;
        using (InFile())
        {
            var worth = settled ? _removedSinceCompact >= CompactAfterRemoved : _removedSinceCompact > Math.Max(PurgeBatch, Digests().Count);
            if (!worth || (skipped = NoRoomToRebuild()) is not null) return null;
            var started = Stopwatch.GetTimestamp();
            Compact();
            _journal.Shrink(); // nor does the journal keep segments sized for the load the store had
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    /// <summary>
    /// Rebuilds the file with only its live pages, under the write lock and with no reader inside
    /// LiteDB. Everything committed is in the data file first (checkpoint), and LiteDB builds the new
    /// file beside it before two renames put it in place (store.db to store-backup.db, store-temp.db to
    /// store.db); <see cref="FinishInterruptedRebuild"/> repairs a process killed between them, so the
    /// store is always the old file or the new one, each complete.
    /// </summary>
    private void Compact()
    {
        _readers.EnterWriteLock();
        try
        {
            _db.Checkpoint();
            DeleteRebuildLeftovers(FilePath);
            // LiteDB rebuilds by file name; the engine on the old file's handles closes first and a
            // new one opens on whatever file is in place after, also when the rebuild failed.
            _engine.Dispose();
            try
            {
                RebuildByName(FilePath);
                // The rebuilt file was created with the process's umask (LiteDB picks its name, so it cannot
                // be made beforehand); the data directory is the owner's alone, so nobody could open it meanwhile.
                StoreFiles.Tighten(FilePath);
                StoreFiles.EnsurePrivateFile(LogFilePath(FilePath));
                FileSync.Path(FilePath);
                foreach (var old in RebuildBackups(FilePath)) File.Delete(old);
                _removedSinceCompact = 0;
            }
            finally
            {
                FinishInterruptedRebuild(FilePath);
                Attach(OpenEngine(FilePath, Ordinal));
            }
        }
        finally
        {
            _readers.ExitWriteLock();
        }
    }

    /// <summary>
    /// The new file is written beside the old one. A rebuild that fails on a full disk holds every
    /// reader and writer for nothing (the old file is reopened after it, <see cref="Compact"/>), and
    /// leaves the disk fuller meanwhile. So it runs only with room for a second copy of the file and
    /// then some; null when there is.
    /// </summary>
    private string? NoRoomToRebuild()
    {
        var needed = 2 * new FileInfo(FilePath).Length + (16 << 20);
        var free = new DriveInfo(DataDirectory).AvailableFreeSpace;
        return free >= needed ? null : $"not rebuilding the store file to shrink it: {free} bytes free, {needed} needed";
    }

    /// <summary>
    /// Run before the store opens: a rebuild cut short leaves its temp file (dropped: the old file is
    /// still whole), or the old file renamed to its backup name and no store file (put back), or both
    /// the new file and the backup (the rebuild finished: the backup goes).
    /// </summary>
    private static void FinishInterruptedRebuild(string path)
    {
        var (backup, backupLog) = (SuffixPath(path, "-backup"), SuffixPath(LogFilePath(path), "-backup"));
        if (File.Exists(backup) && (!File.Exists(path) || new FileInfo(path).Length == 0))
        {
            File.Move(backup, path, overwrite: true);
            if (File.Exists(backupLog)) File.Move(backupLog, LogFilePath(path), overwrite: true);
        }
        DeleteRebuildLeftovers(path);
    }

    private static void DeleteRebuildLeftovers(string path)
    {
        foreach (var file in RebuildBackups(path).Append(SuffixPath(path, "-temp"))) File.Delete(file);
    }

    private static IEnumerable<string> RebuildBackups(string path) => [SuffixPath(path, "-backup"), SuffixPath(LogFilePath(path), "-backup")];

    /// <summary>NAME.db with a suffix, as LiteDB names its rebuild files: NAME-suffix.db.</summary>
    private static string SuffixPath(string path, string suffix) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + suffix + Path.GetExtension(path));

}
