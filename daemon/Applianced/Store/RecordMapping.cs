using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// Hand-written BSON mapping: short field names keep the file small and the layout explicit. A
/// record document is also its operation-log entry: it carries the sequence number its origin gave
/// the write ("s", indexed as "os" = origin:seq) and the version the writer had seen ("ph", "po").
/// </summary>
internal static class RecordMapping
{
    public const string LogIndex = "os";

    public static BsonDocument ToBson(Operation op)
    {
        var r = op.Record;
        return new BsonDocument
        {
            ["_id"] = r.Id,
            ["sc"] = r.Scope,
            ["se"] = r.Section,
            ["k"] = r.Key,
            ["v"] = r.Value is null ? BsonValue.Null : new BsonValue(r.Value),
            ["h"] = r.Version.Hlc,
            ["o"] = r.Version.Origin,
            ["s"] = op.Seq,
            [LogIndex] = OpId(op.Origin, op.Seq),
            ["ph"] = op.Prev.Hlc,
            ["po"] = op.Prev.Origin,
        };
    }

    public static StoredRecord ToRecord(BsonDocument d) => new(
        d["sc"].AsString, d["se"].AsString, d["k"].AsString,
        d["v"].IsNull ? null : d["v"].AsString,
        new RecordVersion(d["h"].AsInt64, d["o"].AsString));

    public static Operation ToOperation(BsonDocument d)
    {
        var record = ToRecord(d);
        return new Operation(record.Version.Origin, d["s"].AsInt64, record, new RecordVersion(d["ph"].AsInt64, d["po"].AsString));
    }

    /// <summary>Sorts as the origin's log does: by origin, then by sequence.</summary>
    public static string OpId(string origin, long seq) => $"{origin}:{seq:D19}";
}
