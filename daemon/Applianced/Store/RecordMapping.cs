using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>Hand-written BSON mapping: short field names keep the file small and the layout explicit.</summary>
internal static class RecordMapping
{
    public static BsonDocument ToBson(StoredRecord r) => new()
    {
        ["_id"] = r.Id,
        ["sc"] = r.Scope,
        ["se"] = r.Section,
        ["k"] = r.Key,
        ["v"] = r.Value is null ? BsonValue.Null : new BsonValue(r.Value),
        ["h"] = r.Version.Hlc,
        ["o"] = r.Version.Origin,
    };

    public static StoredRecord ToRecord(BsonDocument d) => new(
        d["sc"].AsString, d["se"].AsString, d["k"].AsString,
        d["v"].IsNull ? null : d["v"].AsString,
        new RecordVersion(d["h"].AsInt64, d["o"].AsString));

    public static string OpId(string origin, long seq) => $"{origin}:{seq:D19}";

    public static BsonDocument ToBson(Operation op) => new()
    {
        ["_id"] = OpId(op.Origin, op.Seq),
        ["o"] = op.Origin,
        ["s"] = op.Seq,
        ["r"] = ToBson(op.Record),
        ["ph"] = op.Prev.Hlc,
        ["po"] = op.Prev.Origin,
        ["t"] = DateTime.UtcNow,
    };

    public static Operation ToOperation(BsonDocument d) => new(
        d["o"].AsString, d["s"].AsInt64, ToRecord(d["r"].AsDocument),
        new RecordVersion(d["ph"].AsInt64, d["po"].AsString));
}
