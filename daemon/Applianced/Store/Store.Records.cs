using LiteDB;

namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    public StoredRecord? Get(string scope, string section, string key)
    {
        var id = StoredRecord.MakeId(scope, section, key);
        var record = _unflushed.TryGet(id, out var waiting) ? waiting!.Op.Record
            : Read(() => _records.FindById(id)) is { } doc ? RecordMapping.ToRecord(doc) : null;
        // One record read is that record's version, not its whole collection: concurrent changes of
        // other items of one collection (removing two locations at once) do not refuse each other.
        Tracked.Value?.AddRecord(id, record?.Version);
        return record;
    }

    /// <summary>Live (not deleted) records of one section in one scope, ordered by key.</summary>
    public IReadOnlyList<StoredRecord> List(string scope, string section) =>
        ListWithTombstones(scope, section).Where(r => !r.Deleted).ToList();

    public IReadOnlyList<StoredRecord> ListWithTombstones(string scope, string section) =>
        ScanOps($"{scope}/{section}/").Select(o => o.Record).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();

    /// <summary>Every record of one scope, tombstones included (for digests and snapshots).</summary>
    public IReadOnlyList<StoredRecord> Scan(string? scopePrefix = null) => ScanOps(scopePrefix ?? "").Select(o => o.Record).ToList();

    /// <summary>The records whose id starts with <paramref name="prefix"/>, each as the operation that wrote it: a tracked read (Store.Reads.cs).</summary>
    private List<Operation> ScanOps(string prefix)
    {
        NoteRead(prefix);
        return ScanUntracked(prefix);
    }

    /// <summary>The records whose id starts with <paramref name="prefix"/>, the file's and the journal's.</summary>
    private List<Operation> ScanUntracked(string prefix) => WithUnflushed(_unflushed.WithPrefix(prefix), () => Read(() =>
        (prefix.Length == 0 ? _records.FindAll() : _records.Find(Query.StartsWith("_id", prefix))).Select(RecordMapping.ToOperation).ToList()));

    public long RecordCount => WithDigests(d => d.Count);

    /// <summary>
    /// The peer scopes that hold live records (of any peer, this one's included). A forgotten peer's
    /// scope keeps its tombstones until they are purged; it holds nothing any more, so it is not listed.
    /// </summary>
    public IReadOnlyList<string> PeerScopes() => WithDigests(d => d.Collections().Keys
        .Select(c => c[..c.IndexOf('/')]).Where(s => s.StartsWith("peer:", StringComparison.Ordinal)).Distinct().ToList())
        .Where(HoldsLiveRecords).ToList();

    /// <summary>
    /// Not a tracked read (Store.Reads.cs): which peers exist is not what a change is decided from,
    /// and a scope read whole would make every commit to any of its collections (a bridge's status, a
    /// conference's count) stale for it. The rules read the collections they weigh, tracked each.
    /// </summary>
    private bool HoldsLiveRecords(string scope) => ScanUntracked(scope + "/").Any(o => !o.Record.Deleted);
}
