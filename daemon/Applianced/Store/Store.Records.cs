using LiteDB;

namespace Appliance.Daemon.Store;

public sealed partial class Store
{
    public StoredRecord? Get(string scope, string section, string key)
    {
        var doc = Read(() => _records.FindById(StoredRecord.MakeId(scope, section, key)));
        return doc is null ? null : RecordMapping.ToRecord(doc);
    }

    /// <summary>Live (not deleted) records of one section in one scope, ordered by key.</summary>
    public IReadOnlyList<StoredRecord> List(string scope, string section) =>
        ListWithTombstones(scope, section).Where(r => !r.Deleted).ToList();

    public IReadOnlyList<StoredRecord> ListWithTombstones(string scope, string section) => Read(() =>
        _records.Find(Query.StartsWith("_id", $"{scope}/{section}/"))
            .Select(RecordMapping.ToRecord).OrderBy(r => r.Key, StringComparer.Ordinal).ToList());

    /// <summary>Every record of one scope, tombstones included (for digests and snapshots).</summary>
    public IReadOnlyList<StoredRecord> Scan(string? scopePrefix = null) => Read(() =>
        (scopePrefix is null ? _records.FindAll() : _records.Find(Query.StartsWith("_id", scopePrefix)))
            .Select(RecordMapping.ToRecord).ToList());

    public long RecordCount => Read(() => _records.LongCount());

    /// <summary>
    /// The peer scopes that hold live records (of any peer, this one's included). A forgotten peer's
    /// scope keeps its tombstones until they are purged; it holds nothing any more, so it is not listed.
    /// </summary>
    public IReadOnlyList<string> PeerScopes() => WithDigests(d => d.Collections().Keys
        .Select(c => c[..c.IndexOf('/')]).Where(s => s.StartsWith("peer:", StringComparison.Ordinal)).Distinct().ToList())
        .Where(HoldsLiveRecords).ToList();

    /// <summary>Stops at the first live record: a live scope costs one read, a forgotten one its few tombstones.</summary>
    private bool HoldsLiveRecords(string scope) =>
        Read(() => _records.Find(Query.StartsWith("_id", scope + "/")).Any(d => !d["v"].IsNull));
}
