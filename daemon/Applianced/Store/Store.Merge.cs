using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>Anti-entropy support: digests, merging whole records, and moving the version vector.</summary>
public sealed partial class Store
{
    private DigestIndex? _digests;

    /// <summary>Runs a read of the digests under the write lock (built from the file on first use).</summary>
    public T WithDigests<T>(Func<DigestIndex, T> read)
    {
        lock (_write) return read(Digests());
    }

    /// <summary>The digest index, built from the file on first use; callers hold the write lock.</summary>
    private DigestIndex Digests()
    {
        if (_digests is null)
        {
            var index = new DigestIndex();
            foreach (var op in WithUnflushed(_unflushed.All(), () => Read(() => _records.FindAll().Select(RecordMapping.ToOperation).ToList())))
                index.Update(op.Record, op.Seq);
            _digests = index;
        }
        return _digests;
    }

    /// <summary>
    /// Up to <paramref name="max"/> records of one collection ("scope/section") in id order after
    /// <paramref name="afterId"/>, each as the operation that wrote it: a whole collection for a peer
    /// that holds none of it, read in file order instead of one lookup per record.
    /// </summary>
    public IReadOnlyList<Operation> ScanOps(string collection, string? afterId, int max)
    {
        var prefix = collection + "/";
        // Ids are "scope/section/key": every id of the collection sorts before prefix with its '/' raised to '0'.
        var end = collection + "0";
        var ops = new List<Operation>(max);
        while (ops.Count < max)
        {
            // Short reads: a commit's checkpoint waits for the reader holding the store.
            var after = ops.Count > 0 ? ops[^1].Record.Id : afterId;
            var want = Math.Min(ReadPage, max - ops.Count);
            // Between includes its lower bound: one more than wanted covers skipping `after` itself.
            // The journal's records join the file's; a full page from the file ends where it ends, so
            // none of the journal's beyond it are taken before the file's that sort before them.
            var fromFile = Read(() => _records.Find(RecordMapping.Between("_id", after ?? prefix, end), limit: want + 1)
                .Where(d => d["_id"].AsString.StartsWith(prefix, StringComparison.Ordinal) && d["_id"].AsString != after)
                .Take(want).Select(RecordMapping.ToOperation).ToList());
            var page = WithUnflushed(_unflushed.WithPrefix(prefix).Where(u => string.CompareOrdinal(u.Op.Record.Id, after) > 0), () => fromFile)
                .Take(want).ToList();
            ops.AddRange(page);
            if (page.Count < want) break;
        }
        return ops;
    }

    /// <summary>Records read per hold of the store by bulk readers (recovery), so commits wait at most a few ms.</summary>
    private const int ReadPage = 256;

    /// <summary>The records with these ids, each as the operation that wrote it (for recovery).</summary>
    public IReadOnlyList<Operation> GetOps(IEnumerable<string> ids) => ids.Chunk(ReadPage).SelectMany(page =>
    {
        var waiting = page.Select(id => _unflushed.TryGet(id, out var u) ? u : null).OfType<Unflushed>().ToList();
        return WithUnflushed(waiting, () => Read(() => _records.Find(RecordMapping.In("_id", page)).Select(RecordMapping.ToOperation).ToList()));
    }).ToList();

    /// <summary>
    /// Merges records pulled by recovery (each with the log position its origin gave it), last writer
    /// wins, in one transaction. The version vector moves afterwards (<see cref="AdvanceVersionVector"/>).
    /// </summary>
    public CommitInfo MergeRecords(IReadOnlyList<Operation> records)
    {
        CommitInfo info;
        lock (_write)
        {
            var changed = new List<StoredRecord>();
            var conflicts = new List<Conflict>();
            var index = Digests();
            CommitJournaled(() =>
            {
                foreach (var op in records)
                {
                    if (op.Record.Version.Origin != op.Origin || WasPurged(index, op)) continue;
                    Clock.Observe(op.Record.Version.Hlc);
                    MergeRecord(index, op, changed, conflicts);
                }
            });
            info = new CommitInfo([], changed, conflicts, Remote: true);
        }
        if (info.Changed.Count > 0) RaiseCommitted(info);
        FlushIfFarBehind(); // a recovery pulls in bulk: the likeliest commit to outrun the flusher
        return info;
    }

    /// <summary>After a full recovery from a peer we hold everything it held: take its positions where ahead.</summary>
    public void AdvanceVersionVector(IReadOnlyDictionary<string, long> other)
    {
        lock (_write)
        {
            var moved = other.Where(kv => kv.Value > _versionVector.GetValueOrDefault(kv.Key)).ToList();
            if (moved.Count == 0) return;
            CommitJournaled(() =>
            {
                foreach (var (origin, seq) in moved) SaveVersion(origin, seq);
            });
            foreach (var (origin, seq) in moved)
            {
                _versionVector[origin] = seq;
                _recent.Forget(origin);
            }
        }
    }
}
