using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// Writes, replicated applies and recovery merges are durable in the journal (<see cref="Journal"/>):
/// one append and one fdatasync per commit, no LiteDB on that path. Their records wait in memory
/// (<see cref="_unflushed"/>, which every read consults first) until the flusher thread moves a
/// batch of them into LiteDB in one transaction and checkpoint, and deletes the journal segments the
/// file then holds. What changes LiteDB directly (join reset, purge, local values, snapshots,
/// compaction) holds <see cref="_file"/> and flushes first, so the file is complete under it.
/// Lock order: <see cref="_file"/>, then <see cref="_write"/>.
/// </summary>
public sealed partial class Store
{
    private const string JournalId = "journal";
    /// <summary>How long a commit's records wait in memory before the flusher moves them into the file (by default).</summary>
    public static readonly TimeSpan DefaultFlushDelay = TimeSpan.FromMilliseconds(500);
    private readonly TimeSpan _flushDelay;
    /// <summary>So many records waiting wake the flusher at once: memory and the next replay stay bounded.</summary>
    private const int FlushBacklog = 4096;
    /// <summary>
    /// So many records waiting and the commits themselves move the journal into the file, at their
    /// own weight: the flusher's lower weight (<see cref="BackgroundPriority"/>) must not let a
    /// sustained load grow the journal, its memory and the next replay without end.
    /// </summary>
    internal int StallBacklog { get; set; } = 4 * FlushBacklog;

    private Journal _journal = null!;
    /// <summary>Held by whoever changes the LiteDB file: the flusher, and the changes made straight in it.</summary>
    private readonly Lock _file = new();
    private readonly UnflushedRecords _unflushed = new();
    /// <summary>Meta documents (version vector, clock, origin numbers) written by journaled commits and not in the file yet.</summary>
    private Dictionary<string, BsonDocument> _unflushedMeta = new(StringComparer.Ordinal);
    private int _unflushedCount;
    /// <summary>The journaled commit being built (caller holds the write lock); null while changes go straight to LiteDB.</summary>
    private Frame? _frame;
    private readonly JournalFrame _frameWriter = new();
    private readonly SemaphoreSlim _flushWanted = new(0);
    private readonly ManualResetEventSlim _backlog = new();
    private Thread _flusher = null!;
    private volatile bool _closing;

    private sealed class Frame
    {
        public readonly Dictionary<string, Unflushed> Records = new(StringComparer.Ordinal);
        public readonly Dictionary<string, BsonDocument> Meta = new(StringComparer.Ordinal);
        public readonly List<string> NewOrigins = [];
    }

    /// <summary>
    /// Runs <paramref name="build"/> (which calls Save and SaveVersion) as one journaled commit under
    /// the write lock: its changes are appended as one frame, made durable, then published to readers.
    /// A failure leaves nothing of it in memory or in the journal.
    /// </summary>
    private void CommitJournaled(Action build)
    {
        var frame = _frame = new Frame();
        try
        {
            build();
            if (frame.Records.Count == 0 && frame.Meta.Count == 0) return;
            _journal.Append(_frameWriter.Write(frame.Records.Values, frame.Meta.Values));
        }
        catch
        {
            // The index and the origin numbers took this commit's changes as they went: forget them.
            _digests = null;
            foreach (var origin in frame.NewOrigins) _originNumbers?.Remove(origin);
            _clockSaved = long.MinValue;
            throw;
        }
        finally
        {
            _frame = null;
        }
        foreach (var (id, record) in frame.Records) _unflushed.Set(id, record);
        if (frame.Records.Count > 0) StampCommit(frame.Records.Keys);
        foreach (var (id, doc) in frame.Meta) _unflushedMeta[id] = doc;
        _unflushedCount += frame.Records.Count;
        if (_unflushedCount >= FlushBacklog) _backlog.Set();
        if (_flushWanted.CurrentCount == 0) _flushWanted.Release();
    }

    /// <summary>A record document, into the commit's frame when journaled, else straight into LiteDB.</summary>
    private void PutRecord(Operation op, bool replaces)
    {
        var originNumber = OriginNumber(op.Origin);
        if (_frame is { } frame)
        {
            frame.Records[op.Record.Id] = new Unflushed(op, originNumber, !replaces);
            return;
        }
        var doc = RecordMapping.ToBson(op, originNumber);
        if (!replaces) _records.Insert(doc);
        else if (!_records.Update(doc)) throw new InvalidOperationException($"store: record {op.Record.Id} missing from the file but not from the index");
    }

    /// <summary>A meta document, into the commit's frame when journaled, else straight into LiteDB.</summary>
    private void PutMeta(BsonDocument doc)
    {
        if (_frame is { } frame) frame.Meta[doc["_id"].AsString] = doc;
        else _meta.Upsert(doc);
    }

    /// <summary>The record as readers see it: the journal's copy when the file does not hold it yet.</summary>
    private Operation? Current(string id)
    {
        if (_frame is { } frame && frame.Records.TryGetValue(id, out var building)) return building.Op;
        if (_unflushed.TryGet(id, out var waiting)) return waiting!.Op;
        return Read(() => _records.FindById(id)) is { } doc ? RecordMapping.ToOperation(doc) : null;
    }

    /// <summary>
    /// Records of the file and of the journal together, the newer of each id, in id order when the
    /// file's are. The journal's are taken first: one the flusher moves meanwhile is then in the
    /// file, never in neither.
    /// </summary>
    private static List<Operation> WithUnflushed(IEnumerable<Unflushed> unflushed, Func<List<Operation>> fromFile)
    {
        var waiting = unflushed.ToDictionary(u => u.Op.Record.Id, u => u.Op, StringComparer.Ordinal);
        var ops = fromFile();
        if (waiting.Count == 0) return ops;
        for (var i = 0; i < ops.Count; i++)
        {
            if (waiting.Remove(ops[i].Record.Id, out var newer) && newer.Record.Version > ops[i].Record.Version) ops[i] = newer;
        }
        if (waiting.Count == 0) return ops;
        ops.AddRange(waiting.Values);
        ops.Sort((a, b) => string.CompareOrdinal(a.Record.Id, b.Record.Id));
        return ops;
    }

    /// <summary>
    /// Moves everything the journal holds into the file: one transaction, one checkpoint (durable),
    /// then the segments go. Caller holds <see cref="_file"/>; the write lock is taken only to take
    /// the batch (and switch segments) and to drop what was moved, so commits go on meanwhile.
    /// </summary>
    private void FlushJournal()
    {
        List<Unflushed> records;
        Dictionary<string, BsonDocument> meta;
        long through;
        lock (_write)
            if (_unflushedCount == 0 && _unflushedMeta.Count == 0) return;
        _journal.PrepareNext(); // the new segment is made while commits go on
        lock (_write)
        {
            records = _unflushed.All();
            meta = _unflushedMeta;
            _unflushedMeta = new(StringComparer.Ordinal);
            _unflushedCount = 0;
            _backlog.Reset();
            through = _journal.Last;
            _journal.Rotate();
        }
        // In id order: consecutive inserts then land beside each other in LiteDB's index, so a move
        // dirties (and writes to LiteDB's log, then to the file) far fewer pages than in hash order.
        records.Sort((a, b) => string.CompareOrdinal(a.Op.Record.Id, b.Op.Record.Id));
        try
        {
            MoveIntoFile(records.Select(r => (r.ToBson(), r.IsNew && !_moveFailed)), meta.Values, JournalMark(_journal.Id, through));
            _moveFailed = false;
        }
        catch
        {
            // The journal still holds all of it; try again with the next flush. Part of it may be in
            // the file now (a move takes several transactions), so the next one inserts nothing blindly.
            _moveFailed = true;
            lock (_write)
            {
                foreach (var (id, doc) in meta) _unflushedMeta.TryAdd(id, doc);
                _unflushedCount += records.Count;
            }
            throw;
        }
        lock (_write)
            foreach (var record in records) _unflushed.Remove(record);
        _journal.DeleteBeforeCurrent();
    }

    /// <summary>Records per LiteDB transaction of a move: a large transaction costs LiteDB far more per record (measured, bench store-commit).</summary>
    private const int MoveChunk = 500;
    /// <summary>The last move into the file failed part way: the next one checks each record first.</summary>
    private bool _moveFailed;

    /// <summary>
    /// Writes documents the journal holds into the file, then the mark saying how far the file holds
    /// the journal, and checkpoints (durable). Cut short, it leaves the mark where it was: the replay
    /// writes the same documents again, which changes nothing.
    /// </summary>
    private void MoveIntoFile(IEnumerable<(BsonDocument Doc, bool IsNew)> records, IEnumerable<BsonDocument> meta, BsonDocument mark)
    {
        foreach (var chunk in records.Chunk(MoveChunk).Append([]))
        {
            _db.BeginTrans();
            try
            {
                // One engine call per kind: LiteDB wraps each call in its transaction lookup, per record otherwise.
                _records.Insert(chunk.Where(c => c.IsNew).Select(c => c.Doc));
                _records.Upsert(chunk.Where(c => !c.IsNew).Select(c => c.Doc));
                if (chunk.Length == 0)
                {
                    foreach (var doc in meta) _meta.Upsert(doc);
                    _meta.Upsert(mark);
                }
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }
        }
        CheckpointExclusive();
    }

    private static BsonDocument JournalMark(Guid id, long through) => new() { ["_id"] = JournalId, ["id"] = id.ToString(), ["n"] = through };

    /// <summary>
    /// Called by a committer after its commit (holding no lock): when the journal is far behind, moves
    /// it into the file on this thread before the caller goes on, so writers slow down to what the
    /// file takes instead of the backlog growing. Unlocked read of the count: a heuristic.
    /// </summary>
    private void FlushIfFarBehind()
    {
        if (Volatile.Read(ref _unflushedCount) >= StallBacklog && _journal is not null) TryFlush();
    }

    /// <summary>Moves the journal into the file after the flush delay of commits, or at once under a backlog.</summary>
    private void FlusherLoop()
    {
        BackgroundPriority.LowerThisThread();
        while (true)
        {
            _flushWanted.Wait();
            if (_closing) return;
            _backlog.Wait(_flushDelay);
            if (_closing) return;
            TryFlush();
        }
    }

    /// <summary>One move of the journal into the file; a failure is kept for status, not thrown (the journal keeps every commit durable meanwhile, and the next commit tries again).</summary>
    private void TryFlush()
    {
        try
        {
            lock (_file) FlushJournal();
            LastFlushError = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LastFlushError = e.Message;
        }
    }

    /// <summary>Why the last move of the journal into the file failed, if it did (commits stay durable in the journal).</summary>
    public string? LastFlushError { get; private set; }

    /// <summary>Records committed in the journal and not yet moved into the file (a move in progress counts until it ends).</summary>
    public int JournalRecords => _unflushed.Count;

    /// <summary>
    /// At open: what the journal holds beyond the file goes into the file (one transaction and
    /// checkpoint), and a new journal starts. Segments of another journal (another file's, swapped
    /// out by a restore) are dropped.
    /// </summary>
    private void ReplayJournal()
    {
        var mark = _meta.FindById(JournalId);
        var frames = mark is null ? [] : Journal.Read(DataDirectory, Guid.Parse(mark["id"].AsString), mark["n"].AsInt64);
        var last = frames.Count > 0 ? frames[^1].Number : mark?["n"].AsInt64 ?? 0;
        var id = Guid.NewGuid();
        // Later frames hold newer copies: the last copy of each document is the one to keep.
        var records = new Dictionary<string, BsonDocument>(StringComparer.Ordinal);
        var meta = new Dictionary<string, BsonDocument>(StringComparer.Ordinal);
        foreach (var (_, payload) in frames)
        {
            var frame = BsonSerializer.Deserialize(payload);
            foreach (var doc in frame["r"].AsArray) records[doc["_id"].AsString] = doc.AsDocument;
            foreach (var doc in frame["m"].AsArray) meta[doc["_id"].AsString] = doc.AsDocument;
        }
        MoveIntoFile(records.Values.Select(d => (d, false)), meta.Values, JournalMark(id, last));
        Journal.DeleteAll(DataDirectory);
        _journal = Journal.Start(DataDirectory, id, last);
        _flusher = new Thread(FlusherLoop) { IsBackground = true, Name = "store flusher" };
        _flusher.Start();
    }

    /// <summary>
    /// For a change made straight in LiteDB: holds the file and the write lock, with everything the
    /// journal held moved into the file first. Dispose releases both.
    /// </summary>
    private FileScope InFile()
    {
        _file.Enter();
        try
        {
            _write.Enter();
            try
            {
                FlushJournal();
            }
            catch
            {
                _write.Exit();
                throw;
            }
        }
        catch
        {
            _file.Exit();
            throw;
        }
        return new FileScope(this);
    }

    private readonly ref struct FileScope(Store store)
    {
        public void Dispose()
        {
            store._write.Exit();
            store._file.Exit();
        }
    }

    /// <summary>At close: the flusher stops and the file takes whatever the journal still holds; the journal goes.</summary>
    private void CloseJournal()
    {
        _closing = true;
        _flushWanted.Release();
        _backlog.Set();
        _flusher.Join();
        lock (_file) FlushJournal();
        _journal.Dispose();
        Journal.DeleteAll(DataDirectory);
    }
}
