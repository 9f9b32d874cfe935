using LiteDB;

namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    /// <summary>
    /// Commits local changes: each gets a fresh version from this peer and an entry in the
    /// operation log; changes that would store what is already there are skipped. Returns once the
    /// change is durable. Writes queued by concurrent callers share one transaction (group commit)
    /// on the committer thread, so N writers pay for far fewer than N durable commits.
    /// </summary>
    public Task<CommitInfo> WriteAsync(IReadOnlyList<Mutation> mutations)
    {
        var request = new PendingWrite(mutations);
        _queued.Add(request);
        return request.Completion.Task;
    }

    /// <summary>Blocking form of <see cref="WriteAsync"/> for callers that are not async.</summary>
    public CommitInfo Write(IReadOnlyList<Mutation> mutations) => WriteAsync(mutations).GetAwaiter().GetResult();

    private void CommitterLoop()
    {
        foreach (var first in _queued.GetConsumingEnumerable())
        {
            var requests = new List<PendingWrite> { first };
            while (requests.Count < MaxWritesPerCommit && _queued.TryTake(out var more)) requests.Add(more);
            CommitInfo batch;
            try
            {
                lock (_write) batch = CommitQueued(requests);
            }
            catch (Exception e)
            {
                foreach (var r in requests) r.Completion.TrySetException(e);
                continue;
            }
            if (batch.Operations.Count > 0) Committed?.Invoke(batch);
            foreach (var r in requests) r.Completion.TrySetResult(r.Result!);
        }
    }

    private CommitInfo CommitQueued(List<PendingWrite> requests)
    {
        var all = new List<Operation>();
        var seq = _versionVector.GetValueOrDefault(PeerId);
        _db.BeginTrans();
        try
        {
            foreach (var r in requests)
            {
                var ops = new List<Operation>(r.Mutations.Count);
                foreach (var m in r.Mutations)
                {
                    var current = Get(m.Scope, m.Section, m.Key);
                    if (current?.Value == m.Value && (current is not null || m.Value is null)) continue;
                    if (current is not null) Clock.Observe(current.Version.Hlc); // a new write always wins over what it replaces
                    var record = new StoredRecord(m.Scope, m.Section, m.Key, m.Value, new RecordVersion(Clock.Now(), PeerId));
                    var op = new Operation(PeerId, ++seq, record, current?.Version ?? RecordVersion.None);
                    _records.Upsert(RecordMapping.ToBson(record));
                    _digests?.Update(record);
                    _oplog.Insert(RecordMapping.ToBson(op));
                    ops.Add(op);
                }
                r.Result = new CommitInfo(ops, ops.Select(o => o.Record).ToList(), [], Remote: false);
                all.AddRange(ops);
            }
            if (all.Count > 0) SaveVersion(PeerId, seq);
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            _digests = null; // may hold changes that were rolled back
            throw;
        }
        if (all.Count > 0)
        {
            _versionVector[PeerId] = seq;
            MakeDurable();
        }
        return new CommitInfo(all, all.Select(o => o.Record).ToList(), [], Remote: false);
    }

    private sealed class PendingWrite(IReadOnlyList<Mutation> mutations)
    {
        public IReadOnlyList<Mutation> Mutations { get; } = mutations;
        public CommitInfo? Result { get; set; }
        public TaskCompletionSource<CommitInfo> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Applies operations received from peers in one transaction. Per origin, operations must arrive
    /// in sequence: duplicates are skipped, and a gap stops that origin (the caller catches up from
    /// the log). Each record keeps the highest (HLC, origin) version; losers are reported.
    /// </summary>
    public RemoteApplyResult ApplyRemote(IReadOnlyList<Operation> ops)
    {
        RemoteApplyResult result;
        lock (_write)
        {
            var applied = new List<Operation>();
            var changed = new List<StoredRecord>();
            var conflicts = new List<Conflict>();
            var gaps = new HashSet<string>();
            var vv = new Dictionary<string, long>(_versionVector);
            _db.BeginTrans();
            try
            {
                foreach (var op in ops)
                {
                    var known = vv.GetValueOrDefault(op.Origin);
                    if (op.Seq <= known || gaps.Contains(op.Origin)) continue;
                    if (op.Seq != known + 1)
                    {
                        gaps.Add(op.Origin);
                        continue;
                    }
                    Clock.Observe(op.Record.Version.Hlc);
                    MergeRecord(op.Record, op.Prev, changed, conflicts);
                    _oplog.Upsert(RecordMapping.ToBson(op));
                    vv[op.Origin] = op.Seq;
                    applied.Add(op);
                }
                foreach (var origin in applied.Select(o => o.Origin).Distinct()) SaveVersion(origin, vv[origin]);
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                _digests = null; // may hold changes that were rolled back
                throw;
            }
            if (applied.Count > 0)
            {
                foreach (var (origin, seq) in vv) _versionVector[origin] = seq;
                MakeDurable();
            }
            result = new RemoteApplyResult(new CommitInfo(applied, changed, conflicts, Remote: true), gaps);
        }
        if (result.Commit.Operations.Count > 0) Committed?.Invoke(result.Commit);
        return result;
    }

    /// <summary>Last-writer-wins merge of one incoming record; prev is the version its writer had seen.</summary>
    private void MergeRecord(StoredRecord incoming, RecordVersion prev, List<StoredRecord> changed, List<Conflict> conflicts)
    {
        var current = Get(incoming.Scope, incoming.Section, incoming.Key);
        if (current is null || incoming.Version > current.Version)
        {
            _records.Upsert(RecordMapping.ToBson(incoming));
            _digests?.Update(incoming);
            changed.Add(incoming);
            // The writer had not seen what we hold: two concurrent writes, ours lost.
            if (current is not null && current.Version != prev) conflicts.Add(new Conflict(incoming, current));
        }
        else if (incoming.Version < current.Version)
        {
            conflicts.Add(new Conflict(current, incoming));
        }
    }

    /// <summary>
    /// LiteDB hands committed pages to a background writer and returns before they reach the file;
    /// a checkpoint waits for that writer and flushes, so what we acknowledge survives a SIGKILL.
    /// </summary>
    /// <summary>
    /// LiteDB 5.0.21 reads committed pages from its log through a shared index that is not safe under
    /// concurrent queries ("page type must be collection page", after which it closes the database);
    /// moving every commit into the data file at once, with no query running, keeps readers on the
    /// data file. The checkpoint also waits for and flushes the written pages: the commit is durable.
    /// </summary>
    private void MakeDurable() => CheckpointExclusive();
}

public sealed record RemoteApplyResult(CommitInfo Commit, IReadOnlySet<string> Gaps);
