namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    /// <summary>
    /// Copies the whole store file (records, operation log, version vector and the local scope) to
    /// <paramref name="path"/> while the daemon runs. Under the write lock no commit is in flight;
    /// the journal is moved into the file and the checkpoint moves every committed page from LiteDB's log into the data file, so the copy
    /// is exactly the store as of the last commit. Writers wait only for the copy.
    /// </summary>
    public void SnapshotTo(string path)
    {
        using (InFile())
        {
            CheckpointExclusive();
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            CopyLiveFile(FilePath, path);
        }
    }
}
