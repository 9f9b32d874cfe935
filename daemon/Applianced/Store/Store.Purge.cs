using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// Tombstones purged, and what a peer must remember of them. A tombstone is only needed until every
/// member holds it (or something newer): then nobody holds the record it deleted, and the tombstone
/// can go, from the digests and the origin's log too (the log is the records). What remains is:
/// <list type="bullet">
/// <item>the purge horizon: the newest version (HLC) among the tombstones purged. A record this peer
/// does not hold, whose write its version vector covers (it held that write or something newer in
/// its place) and that is not newer than the horizon, was deleted and purged here: recovery must not
/// take it back from a peer that still holds a stale copy, and such a copy is dropped, not pushed;</item>
/// <item>per origin, the last log position of a purged tombstone: a peer whose version vector is behind
/// it may lack a delete that the log can no longer stream, so it is sent to full recovery instead.</item>
/// </list>
/// See Cluster/REPLICATION.md, "Tombstones".
/// </summary>
public sealed partial class Store
{
    private const string PurgeHorizonId = "purge-horizon";
    private const string PurgedPrefix = "pt:";
    /// <summary>Records removed per transaction: a purge holds the write lock for a bounded time, writes go in between.</summary>
    public const int PurgeBatch = 1000;
    private long _purgeHorizon;
    private readonly Dictionary<string, long> _purgedThrough = new(StringComparer.Ordinal);

    private void LoadPurgeState()
    {
        _purgeHorizon = _meta.FindById(PurgeHorizonId)?["h"].AsInt64 ?? 0;
        foreach (var d in _meta.Find(Query.StartsWith("_id", PurgedPrefix)))
            _purgedThrough[d["_id"].AsString[PurgedPrefix.Length..]] = d["s"].AsInt64;
    }

    /// <summary>The newest version among the tombstones purged here (or by a peer this one fully recovered from).</summary>
    public long PurgeHorizon
    {
        get { lock (_write) return _purgeHorizon; }
    }

    /// <summary>Per origin, the last log position of a purged tombstone: the log cannot stream what lies before it.</summary>
    public IReadOnlyDictionary<string, long> PurgedThrough()
    {
        lock (_write) return new Dictionary<string, long>(_purgedThrough, StringComparer.Ordinal);
    }

    /// <summary>Tombstones held now, and all records, for status.</summary>
    public (int Tombstones, int Records) TombstoneCounts() => WithDigests(d => (d.TombstoneCount, d.Count));

    /// <summary>
    /// Purges the tombstones <paramref name="purgeable"/> accepts (by the delete's origin, log position
    /// and HLC), <see cref="PurgeBatch"/> per transaction. Returns how many went.
    /// </summary>
    public int PurgeTombstones(Func<string, long, long, bool> purgeable)
    {
        List<(string Id, DigestIndex.Head Head)> chosen;
        lock (_write)
            chosen = Digests().Tombstones().Where(t => purgeable(t.Head.Version.Origin, t.Head.Seq, t.Head.Version.Hlc)).ToList();
        var purged = 0;
        foreach (var chunk in chosen.Chunk(PurgeBatch))
            purged += RemoveRecords(chunk, (now, chosenHead) => now == chosenHead, raisesHorizon: true).Count;
        return purged;
    }

    /// <summary>
    /// After a full pull from a peer: drops the records of <paramref name="ids"/> that the peer does not
    /// hold although its version vector covers them and its purge horizon is not older than them: the
    /// peer deleted and purged them while this peer was away. Then this peer remembers the peer's
    /// horizon and purged positions as its own (it now holds what the peer holds). Returns the records
    /// dropped, as deletions.
    /// </summary>
    public IReadOnlyList<StoredRecord> DropPurgedElsewhere(IReadOnlyList<string> ids, IReadOnlyDictionary<string, long> peerVector,
        long peerHorizon, IReadOnlyDictionary<string, long> peerPurged)
    {
        var dropped = new List<StoredRecord>();
        foreach (var chunk in ids.Chunk(PurgeBatch))
        {
            var candidates = chunk.Select(id => (id, default(DigestIndex.Head))).ToArray();
            dropped.AddRange(RemoveRecords(candidates, (now, _) =>
                now.Seq <= peerVector.GetValueOrDefault(now.Version.Origin) && now.Version.Hlc <= peerHorizon, raisesHorizon: false));
        }
        using (InFile())
        {
            // Most pulls find nothing new: no transaction and no checkpoint for them.
            if (peerHorizon > _purgeHorizon || peerPurged.Any(p => p.Value > _purgedThrough.GetValueOrDefault(p.Key)))
                AdoptPurgeState(peerHorizon, peerPurged);
        }
        // Outside the write lock, as every commit is raised.
        if (dropped.Count > 0) RaiseCommitted(new CommitInfo([], dropped, [], Remote: true));
        return dropped;
    }

    private void AdoptPurgeState(long peerHorizon, IReadOnlyDictionary<string, long> peerPurged)
    {
        _db.BeginTrans();
        try
        {
            if (peerHorizon > _purgeHorizon) SavePurgeHorizon(peerHorizon);
            foreach (var (origin, seq) in peerPurged) SavePurgedThrough(origin, seq);
            _db.Commit();
        }
        catch
        {
            RollbackPurge();
            throw;
        }
        MakeDurable();
    }

    /// <summary>
    /// Removes records from the file and the digests in one transaction, each only if
    /// <paramref name="stillApplies"/> (head now, head chosen) holds under the lock: a record
    /// written again since it was chosen stays. Returns the removed records as deletions.
    /// </summary>
    private List<StoredRecord> RemoveRecords(IReadOnlyList<(string Id, DigestIndex.Head Head)> chosen,
        Func<DigestIndex.Head, DigestIndex.Head, bool> stillApplies, bool raisesHorizon)
    {
        var removed = new List<StoredRecord>();
        using (InFile())
        {
            var index = Digests();
            _db.BeginTrans();
            try
            {
                foreach (var (id, head) in chosen)
                {
                    if (!index.TryGetHead(id, out var now) || !stillApplies(now, head)) continue;
                    if (!_records.Delete(id)) throw new InvalidOperationException($"store: record {id} missing from the file but not from the index");
                    index.Remove(id);
                    removed.Add(Deletion(id, now.Version));
                    if (!raisesHorizon) continue;
                    if (now.Version.Hlc > _purgeHorizon) SavePurgeHorizon(now.Version.Hlc);
                    SavePurgedThrough(now.Version.Origin, now.Seq);
                }
                _db.Commit();
            }
            catch
            {
                RollbackPurge();
                throw;
            }
            if (removed.Count > 0)
            {
                _removedSinceCompact += removed.Count;
                MakeDurable();
                StampCommit(removed.Select(r => r.Id));
            }
        }
        return removed;
    }

    private static StoredRecord Deletion(string id, RecordVersion version)
    {
        var scopeEnd = id.IndexOf('/');
        var sectionEnd = id.IndexOf('/', scopeEnd + 1);
        return new StoredRecord(id[..scopeEnd], id[(scopeEnd + 1)..sectionEnd], id[(sectionEnd + 1)..], null, version);
    }

    private void SavePurgeHorizon(long hlc)
    {
        _meta.Upsert(new BsonDocument { ["_id"] = PurgeHorizonId, ["h"] = hlc });
        _purgeHorizon = hlc;
    }

    private void SavePurgedThrough(string origin, long seq)
    {
        if (seq <= _purgedThrough.GetValueOrDefault(origin)) return;
        _meta.Upsert(new BsonDocument { ["_id"] = PurgedPrefix + origin, ["s"] = seq });
        _purgedThrough[origin] = seq;
    }

    /// <summary>Undoes a failed transaction; the horizon and positions in memory follow the file again.</summary>
    private void RollbackPurge()
    {
        Rollback();
        _purgedThrough.Clear();
        LoadPurgeState();
    }

    /// <summary>A record this peer does not hold, covered by its vector and not newer than its horizon, was purged here.</summary>
    private bool WasPurged(DigestIndex index, Operation op) =>
        !index.TryGetHead(op.Record.Id, out _) && op.Seq <= _versionVector.GetValueOrDefault(op.Origin) && op.Record.Version.Hlc <= _purgeHorizon;

    /// <summary>Joining another cluster forgets what was purged in the old one (its records are gone anyway).</summary>
    private void ForgetPurgeState()
    {
        _meta.Delete(PurgeHorizonId);
        _meta.DeleteMany(Query.StartsWith("_id", PurgedPrefix));
        _purgeHorizon = 0;
        _purgedThrough.Clear();
    }
}
