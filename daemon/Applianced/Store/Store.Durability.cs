using System.Runtime.InteropServices;
using Appliance.Daemon.Files;

namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    // Readers hold this shared while they run a LiteDB query; a checkpoint holds it exclusively.
    // LiteDB 5.0.21's checkpoint clears its page cache and fails ("must have no pages in use", then
    // closes the database) when a query on another thread holds a page at that moment.
    private readonly ReaderWriterLockSlim _readers = new(LockRecursionPolicy.SupportsRecursion);

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

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    /// <summary>
    /// Copies the live store file without the advisory lock a .NET FileStream would take on it:
    /// LiteDB opens more handles on its file as it goes, fails on a lock it did not expect, and then
    /// closes the whole database.
    /// </summary>
    private static void CopyLiveFile(string source, string destination)
    {
        var fd = open(source, 0x80000 /* O_RDONLY | O_CLOEXEC */);
        if (fd < 0) throw new IOException($"cannot open {source}: errno {Marshal.GetLastPInvokeError()}");
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        using var input = new FileStream(handle, FileAccess.Read);
        using var output = PrivateFile.CreateNew(destination);
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }
}
