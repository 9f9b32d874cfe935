using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>The operation log and the version vector: "everything from origin X after sequence N".</summary>
public sealed partial class Store
{
    private const string VersionPrefix = "vv:";

    /// <summary>Highest contiguous sequence applied per origin.</summary>
    public IReadOnlyDictionary<string, long> VersionVector()
    {
        lock (_write) return new Dictionary<string, long>(_versionVector);
    }

    public IReadOnlyList<Operation> ReadOps(string origin, long afterSeq, int max) => Read(() =>
        _oplog.Find(Query.And(
                Query.GT("_id", RecordMapping.OpId(origin, afterSeq)),
                Query.LT("_id", RecordMapping.OpId(origin, long.MaxValue))), limit: max)
            .Select(RecordMapping.ToOperation).ToList());

    /// <summary>The lowest sequence still held for an origin (0 when none), to detect a peer behind retention.</summary>
    public long OldestSeq(string origin)
    {
        var first = Read(() => _oplog.Find(Query.And(
            Query.GT("_id", RecordMapping.OpId(origin, 0)),
            Query.LT("_id", RecordMapping.OpId(origin, long.MaxValue))), limit: 1).FirstOrDefault());
        return first?["s"].AsInt64 ?? 0;
    }

    public long OpLogCount => Read(() => _oplog.LongCount());

    private Dictionary<string, long> LoadVersionVector() =>
        _meta.Find(Query.StartsWith("_id", VersionPrefix))
            .ToDictionary(d => d["_id"].AsString[VersionPrefix.Length..], d => d["s"].AsInt64);

    private const string ClockId = "clock";

    /// <summary>Saves a version vector entry, and the clock with it, in the caller's transaction.</summary>
    private void SaveVersion(string origin, long seq)
    {
        _meta.Upsert(new BsonDocument { ["_id"] = VersionPrefix + origin, ["s"] = seq });
        _meta.Upsert(new BsonDocument { ["_id"] = ClockId, ["h"] = Clock.Last });
    }
}
