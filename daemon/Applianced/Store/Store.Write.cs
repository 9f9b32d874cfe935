using Appliance.Daemon.Health;
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
        // A tracked flow's first write is checked against its reads (Store.Reads.cs), and spends them:
        // what the flow reads after it, it reads with this write in it.
        var request = new PendingWrite(mutations) { Reads = Tracked.Value?.Spend() };
        _queued.Add(request);
        // Nobody committing: commit here, with whatever else is queued, instead of waking the
        // committer thread and then the caller again. On a busy host each of those thread hand-offs
        // cost more than the commit (issue 19). When a commit runs, this write joins the next group.
        if (!_write.IsHeldByCurrentThread && _write.TryEnter())
        {
            List<PendingWrite> requests;
            try
            {
                requests = TakeQueued(null);
                if (requests.Count > 0) CommitGroup(requests);
            }
            finally
            {
                _write.Exit();
            }
            if (requests.Count > 0) Complete(requests);
            FlushIfFarBehind();
        }
        return request.Completion.Task;
    }

    /// <summary>Blocking form of <see cref="WriteAsync"/> for callers that are not async.</summary>
    public CommitInfo Write(IReadOnlyList<Mutation> mutations) => WriteAsync(mutations).GetAwaiter().GetResult();

    /// <summary>
    /// The group-commit loop. It waits at most <see cref="Heartbeat.Interval"/> for a write, so it
    /// goes round (and beats <see cref="Committer"/>) when idle too; a commit that never returns,
    /// or a write lock never released, leaves the heartbeat stale and the watchdog unpinged.
    /// </summary>
    private void CommitterLoop()
    {
        while (true)
        {
            // Writers commit on their own threads when the store is idle: the heartbeat also proves
            // that the write lock is free to take, so a commit stuck anywhere still stops it.
            lock (_write) { }
            Committer.Beat();
            Committer.HangIfAsked().Wait(); // blocks this thread for good under the test fault
            if (!_queued.TryTake(out var first, Committer.Interval))
            {
                if (_queued.IsCompleted) return;
                continue;
            }
            List<PendingWrite> requests;
            lock (_write)
            {
                requests = TakeQueued(first);
                CommitGroup(requests);
            }
            Complete(requests);
            FlushIfFarBehind();
        }
    }

    /// <summary>The queued writes one commit takes, after <paramref name="first"/> when given (caller holds the write lock).</summary>
    private List<PendingWrite> TakeQueued(PendingWrite? first)
    {
        var requests = new List<PendingWrite>();
        if (first is not null) requests.Add(first);
        while (requests.Count < MaxWritesPerCommit && _queued.TryTake(out var more)) requests.Add(more);
        return requests;
    }

    /// <summary>Commits a group (caller holds the write lock); a failure fails every write of the group.</summary>
    private void CommitGroup(List<PendingWrite> requests)
    {
        try
        {
            var batch = CommitQueued(requests);
            foreach (var r in requests) r.Group = batch;
        }
        catch (Exception e)
        {
            foreach (var r in requests) r.Failure = e;
        }
    }

    /// <summary>Raises Committed and completes the group's writes, outside the write lock.</summary>
    private void Complete(List<PendingWrite> requests)
    {
        try
        {
            if (requests[0].Group is { Operations.Count: > 0 } batch) RaiseCommitted(batch);
        }
        finally
        {
            foreach (var r in requests)
            {
                if (r.Failure is { } failure) r.Completion.TrySetException(failure);
                else if (r.Refusal is { } refusal) r.Completion.TrySetException(refusal);
                else r.Completion.TrySetResult(r.Result!);
            }
        }
    }

    private CommitInfo CommitQueued(List<PendingWrite> requests)
    {
        var all = new List<Operation>();
        var seq = _versionVector.GetValueOrDefault(PeerId);
        var index = Digests();
        CommitJournaled(() =>
        {
            foreach (var r in requests)
            {
                if (r.Reads is { } reads && StaleRead(reads, _frame, index) is { } changed)
                {
                    r.Refusal = new StaleReadException(changed);
                    continue;
                }
                if (r.Mutations.FirstOrDefault(m => m.MustBeNew && HoldsValue(index, m)) is { } exists)
                {
                    r.Refusal = new RecordExistsException(exists);
                    continue;
                }
                var ops = new List<Operation>(r.Mutations.Count);
                foreach (var m in r.Mutations)
                {
                    var id = StoredRecord.MakeId(m.Scope, m.Section, m.Key);
                    var known = index.TryGetHead(id, out var head); // a tombstone is known but holds no value
                    var holdsValue = known && head.ValueHash != 0;
                    if (!holdsValue && m.Value is null) continue;
                    if (holdsValue && head.ValueHash == DigestIndex.ValueHash(m.Value) && Current(id)?.Record.Value == m.Value) continue;
                    var prev = known ? head.Version : RecordVersion.None;
                    Clock.Observe(prev.Hlc); // a new write always wins over what it replaces
                    var record = new StoredRecord(m.Scope, m.Section, m.Key, m.Value, new RecordVersion(Clock.Now(), PeerId));
                    var op = new Operation(PeerId, ++seq, record, prev);
                    PutRecord(op, replaces: known);
                    index.Update(record, op.Seq);
                    ops.Add(op);
                }
                r.Result = new CommitInfo(ops, ops.Select(o => o.Record).ToList(), [], Remote: false);
                all.AddRange(ops);
            }
            if (all.Count > 0) SaveVersion(PeerId, seq);
        });
        if (all.Count > 0)
        {
            _recent.Add(PeerId, seq - all.Count, seq, all);
            _versionVector[PeerId] = seq;
        }
        return new CommitInfo(all, all.Select(o => o.Record).ToList(), [], Remote: false);
    }

    private static bool HoldsValue(DigestIndex index, Mutation m) =>
        index.TryGetHead(StoredRecord.MakeId(m.Scope, m.Section, m.Key), out var head) && head.ValueHash != 0;

    private sealed class PendingWrite(IReadOnlyList<Mutation> mutations)
    {
        public IReadOnlyList<Mutation> Mutations { get; } = mutations;
        public CommitInfo? Result { get; set; }
        public ReadSet? Reads { get; init; }
        /// <summary>Why this write (only) was refused: <see cref="RecordExistsException"/>, <see cref="StaleReadException"/>.</summary>
        public Exception? Refusal { get; set; }
        /// <summary>What the whole commit of this write's group did (Committed reports it once), or why it failed.</summary>
        public CommitInfo? Group { get; set; }
        public Exception? Failure { get; set; }
        public TaskCompletionSource<CommitInfo> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Applies operations received from peers in one transaction. Each range says which part of an
    /// origin's log the ops cover; ranges of one origin are taken in order, each continuing where we
    /// (or the ranges before it) got to. A range that starts beyond that is a gap: that origin's ops
    /// wait (the caller catches up by recovery), and the rest still applies. Each record keeps the
    /// highest (HLC, origin) version; losers are reported.
    /// </summary>
    public RemoteApplyResult ApplyRemote(IReadOnlyList<Operation> ops, IReadOnlyList<OpRange> ranges)
    {
        RemoteApplyResult result;
        lock (_write)
        {
            var applied = new List<Operation>();
            var changed = new List<StoredRecord>();
            var conflicts = new List<Conflict>();
            // Per origin, how far the accepted ranges reach: ops in (what we held, reach] apply.
            var reach = new Dictionary<string, long>(StringComparer.Ordinal);
            var gaps = new HashSet<string>(StringComparer.Ordinal);
            foreach (var range in ranges)
            {
                if (gaps.Contains(range.Origin)) continue;
                var held = reach.TryGetValue(range.Origin, out var r) ? r : _versionVector.GetValueOrDefault(range.Origin);
                if (range.After > held) gaps.Add(range.Origin);
                else if (range.Through > held) reach[range.Origin] = range.Through;
            }
            var index = Digests();
            CommitJournaled(() =>
            {
                foreach (var op in ops)
                {
                    if (!reach.TryGetValue(op.Origin, out var through) || op.Seq <= _versionVector.GetValueOrDefault(op.Origin)
                        || op.Seq > through || op.Record.Version.Origin != op.Origin) continue;
                    Clock.Observe(op.Record.Version.Hlc);
                    MergeRecord(index, op, changed, conflicts);
                    applied.Add(op);
                }
                foreach (var (origin, through) in reach) SaveVersion(origin, through);
            });
            foreach (var (origin, through) in reach)
            {
                _recent.Add(origin, _versionVector.GetValueOrDefault(origin), through, applied.Where(o => o.Origin == origin));
                _versionVector[origin] = through;
            }
            result = new RemoteApplyResult(new CommitInfo(applied, changed, conflicts, Remote: true), gaps);
        }
        if (result.Commit.Operations.Count > 0) RaiseCommitted(result.Commit);
        FlushIfFarBehind();
        return result;
    }

    /// <summary>Last-writer-wins merge of one incoming operation; its Prev is the version its writer had seen.</summary>
    private void MergeRecord(DigestIndex index, Operation op, List<StoredRecord> changed, List<Conflict> conflicts)
    {
        var incoming = op.Record;
        var current = index.TryGetHead(incoming.Id, out var head) ? head.Version : (RecordVersion?)null;
        if (current is null || incoming.Version > current.Value)
        {
            // The writer had not seen what we hold: two concurrent writes, ours lost.
            if (current is { } lost && lost != op.Prev && Current(incoming.Id)?.Record is { } loser)
                conflicts.Add(new Conflict(incoming, loser));
            PutRecord(op, replaces: current is not null);
            index.Update(incoming, op.Seq);
            changed.Add(incoming);
        }
        else if (incoming.Version < current.Value && Current(incoming.Id)?.Record is { } winner)
        {
            conflicts.Add(new Conflict(winner, incoming));
        }
    }

    /// <summary>
    /// For the changes made straight in LiteDB (Store.Journaled.cs; journaled commits are durable in
    /// the journal). LiteDB's commit writes its log and flushes it on its own writer thread; the
    /// checkpoint waits for that writer, moves the pages into the data file and flushes it, so what we
    /// acknowledge survives a SIGKILL and a power cut. LiteDB 5.0.21 reads committed pages from its
    /// log through a shared index that is not safe under concurrent queries ("page type must be
    /// collection page", after which it closes the database); checkpointing with no query running
    /// keeps readers on the data file.
    /// </summary>
    private void MakeDurable() => CheckpointExclusive();
}

public sealed record RemoteApplyResult(CommitInfo Commit, IReadOnlySet<string> Gaps);
