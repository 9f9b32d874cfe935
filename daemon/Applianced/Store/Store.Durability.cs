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

    /// <summary>Copies the live store file without the advisory lock a .NET FileStream would take on it (<see cref="FileSync"/>).</summary>
    private static void CopyLiveFile(string source, string destination)
    {
        using var handle = FileSync.OpenReadOnly(source);
        using var input = new FileStream(handle, FileAccess.Read);
        using var output = PrivateFile.CreateNew(destination);
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }
}
