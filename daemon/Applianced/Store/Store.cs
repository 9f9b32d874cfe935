using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// The peer's store: one LiteDB file holding the replicated records (each also its own entry in the operation log), the
/// version vector and the local-only values, and a journal in front of it that makes commits durable
/// (Store.Journaled.cs). All writes go through one lock and one journal frame per batch; readers
/// never block on writers.
/// </summary>
public sealed partial class Store : IDisposable
{
    public const string FileName = "store.db";
    private const string LockFileName = "applianced.lock";

    // Replaced together when a rebuild reopens the file (Store.Engine.cs).
    private LiteDatabase _db = null!;
    private ILiteCollection<BsonDocument> _records = null!;
    private ILiteCollection<BsonDocument> _meta = null!;
    private ILiteCollection<BsonDocument> _local = null!;
    private readonly FileStream _lock;
    private readonly Lock _write = new();
    /// <summary>The most queued writes one commit takes: a bound on a commit's duration, so no write waits behind an endless group.</summary>
    public const int MaxWritesPerCommit = 512;
    private readonly System.Collections.Concurrent.BlockingCollection<PendingWrite> _queued = new();
    private readonly Thread _committer;

    /// <summary>Beaten by the committer thread on every turn, idle or not (the watchdog's proof that writes get committed).</summary>
    public Health.Heartbeat Committer { get; } = new("store", "store committer");
    private readonly Dictionary<string, long> _versionVector;

    public HybridClock Clock { get; }
    public string PeerId { get; }
    public string DataDirectory { get; }
    public string FilePath { get; }

    /// <summary>Raised after every commit, on the committing thread, outside the write lock.</summary>
    public event Action<CommitInfo>? Committed;

    /// <summary>
    /// Raised for every commit just before <see cref="Committed"/>, for listeners that only wake the
    /// thread sending it on (the replication senders): the other listeners wake threads of their own,
    /// and on a busy host a sender woken after them waited for a core behind them (issue 19).
    /// </summary>
    public event Action<CommitInfo>? CommittedFirst;

    private void RaiseCommitted(CommitInfo commit)
    {
        CommittedFirst?.Invoke(commit);
        Committed?.Invoke(commit);
    }

    private Store(string dataDir, FileStream lockFile, Engine engine, TimeProvider time, TimeSpan flushDelay)
    {
        _flushDelay = flushDelay;
        DataDirectory = dataDir;
        FilePath = Path.Combine(dataDir, FileName);
        _lock = lockFile;
        Attach(engine);
        var db = _db;
        Clock = new HybridClock(time);
        // Every collection and index exists before any other thread uses the store: LiteDB 5.0.21
        // creating a collection while another thread queries corrupts its view ("page type must be
        // collection page") and closes the database.
        foreach (var c in new[] { _records, _meta, _local })
        {
            if (db.CollectionExists(c.Name)) continue;
            c.Insert(new BsonDocument { ["_id"] = "create" });
            c.Delete("create");
        }
        // Files written before the log was kept in memory (DigestIndex.Log.cs) index it in LiteDB too.
        _records.DropIndex(RecordMapping.LogField);
        ReplayJournal();
        _versionVector = LoadVersionVector();
        LoadPurgeState();
        PeerId = GetLocal("peer-id") ?? CreatePeerId();
        _committer = new Thread(CommitterLoop) { IsBackground = true, Name = "store committer" };
        _committer.Start();
        // The clock never goes back across restarts, even if the wall clock does.
        if (_meta.FindById(ClockId) is { } clock)
        {
            Clock.Observe(clock["h"].AsInt64);
            _clockSaved = clock["h"].AsInt64;
        }
    }

    /// <summary>
    /// Opens (or creates) the store in <paramref name="dataDir"/>. Refuses when another process holds
    /// it and when the file is not a readable store; never deletes or rewrites a file it cannot read.
    /// </summary>
    public static Store Open(string dataDir, TimeProvider? time = null) => Open(dataDir, time, DefaultFlushDelay);

    /// <summary>Open with another flush delay: tests hold commits in the journal (infinite) to see them replayed.</summary>
    internal static Store Open(string dataDir, TimeProvider? time, TimeSpan flushDelay)
    {
        StoreFiles.EnsurePrivateDirectory(dataDir);
        var lockFile = AcquireLock(dataDir);
        var path = Path.Combine(dataDir, FileName);
        try
        {
            FinishInterruptedRebuild(path);
            StoreFiles.EnsurePrivateFile(path);
            StoreFiles.EnsurePrivateFile(LogFilePath(path));
            var engine = OpenOrdinal(path);
            try
            {
                return new Store(dataDir, lockFile, engine, time ?? TimeProvider.System, flushDelay);
            }
            catch
            {
                engine.Dispose();
                throw;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException) // LiteDB reports a damaged file with many exception types
        {
            lockFile.Dispose();
            throw new StoreOpenException(
                $"cannot open the store file {path}: {e.Message}. The file was left as it is. " +
                "Restore a backup (appliancectl backup restore) or move the file away to start with an empty store.", e);
        }
    }

    /// <summary>LiteDB keeps committed pages in NAME-log.db beside NAME.db until a checkpoint.</summary>
    internal static string LogFilePath(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    private static FileStream AcquireLock(string dataDir)
    {
        var path = Path.Combine(dataDir, LockFileName);
        try
        {
            // FileShare.None takes an exclusive flock on Linux, released by the kernel if we die.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StoreOpenException(
                $"the store in {dataDir} is locked by another running applianced ({e.Message}); stop it first or use another --data-dir.", e)
            {
                HeldByAnother = true,
            };
        }
    }

    private string CreatePeerId()
    {
        var id = Guid.NewGuid().ToString();
        SetLocal("peer-id", id);
        return id;
    }

    public void Dispose()
    {
        _queued.CompleteAdding();
        _committer.Join();
        try
        {
            CloseJournal();
        }
        finally
        {
            _engine.Dispose();
            _lock.Dispose();
        }
    }
}
