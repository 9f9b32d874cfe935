using System.Runtime.InteropServices;

namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    // Readers hold this shared while they run a LiteDB query; a checkpoint holds it exclusively.
    // LiteDB 5.0.21's checkpoint clears its page cache and fails ("must have no pages in use", then
    // closes the database) when a query on another thread holds a page at that moment.
    private readonly ReaderWriterLockSlim _readers = new(LockRecursionPolicy.SupportsRecursion);
    private readonly LogSync _durability;

    private T Read<T>(Func<T> query)
    {
        _readers.EnterReadLock();
        try { return query(); }
        finally { _readers.ExitReadLock(); }
    }

    /// <summary>Moves every committed page into the data file, so the file alone is the whole store (copies, backups).</summary>
    private void CheckpointExclusive()
    {
        _readers.EnterWriteLock();
        try { _db.Checkpoint(); }
        finally { _readers.ExitWriteLock(); }
    }

    /// <summary>
    /// Copies the live store file without the advisory lock a .NET FileStream would take on it:
    /// LiteDB opens more handles on its file as it goes, fails on a lock it did not expect, and then
    /// closes the whole database.
    /// </summary>
    private static void CopyLiveFile(string source, string destination)
    {
        var fd = LogSync.OpenReadOnly(source);
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        using var input = new FileStream(handle, FileAccess.Read);
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Durability of a commit. LiteDB has written the commit's pages to its log file (store-log.db)
    /// with write(2) before Commit returns, so they already survive a killed process; fsync of that
    /// file makes them survive a power cut too. This avoids a checkpoint per commit (see above).
    /// The descriptor comes from open(2) directly: a .NET FileStream would take an advisory flock
    /// that collides with LiteDB's own handles on the file, and LiteDB closes itself on that error.
    /// </summary>
    private sealed partial class LogSync(string logPath) : IDisposable
    {
        private const int ReadOnly = 0;
        private const int CloseOnExec = 0x80000;
        private int _fd = -1;


        public void SyncLog()
        {
            if (_fd < 0)
            {
                if (!File.Exists(logPath)) return; // nothing logged yet: everything is in the data file
                _fd = (int)OpenReadOnly(logPath);
            }
            if (fsync(_fd) != 0)
                throw new IOException($"fsync of {logPath} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        public static IntPtr OpenReadOnly(string path)
        {
            var fd = open(path, ReadOnly | CloseOnExec);
            return fd >= 0 ? fd : throw new IOException($"cannot open {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        public void Dispose()
        {
            if (_fd >= 0) close(_fd);
            _fd = -1;
        }

        [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int open(string path, int flags);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int fsync(int fd);

        [LibraryImport("libc", SetLastError = true)]
        private static partial int close(int fd);
    }
}
