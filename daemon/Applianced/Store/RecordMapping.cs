using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// Hand-written BSON mapping: short field names keep the file small and the layout explicit. A
/// record document is also its operation-log entry: "os" holds the origin's number in this file and
/// the sequence number the origin gave the write, packed in one Int64 (the log itself is indexed in
/// memory, DigestIndex.Log.cs); "ph"/"po" are the version the writer had seen. Scope, section and key
/// live only in the id.
/// </summary>
internal static class RecordMapping
{
    public const string LogField = "os";
    private const int SeqBits = 48;
    private const long SeqMask = (1L << SeqBits) - 1;

    /// <summary>
    /// A range query with its bounds as parameters. LiteDB's Query.Between writes the values into the
    /// expression's text, and LiteDB compiles and keeps every distinct text for the life of the
    /// process: a millisecond of JIT and a little memory per range read, without end.
    /// </summary>
    public static BsonExpression Between(string field, BsonValue from, BsonValue to) =>
        BsonExpression.Create($"$.{field} BETWEEN @0 AND @1", from, to);

    /// <summary>The documents whose field is one of <paramref name="values"/>: one query instead of a lookup each.</summary>
    public static BsonExpression In(string field, IEnumerable<string> values) =>
        BsonExpression.Create($"$.{field} IN @0", new BsonArray(values.Select(v => new BsonValue(v))));

    public static BsonDocument ToBson(Operation op, long originNumber) => new()
    {
        ["_id"] = op.Record.Id,
        ["v"] = op.Record.Value is null ? BsonValue.Null : new BsonValue(op.Record.Value),
        ["h"] = op.Record.Version.Hlc,
        ["o"] = op.Origin,
        [LogField] = LogPosition(originNumber, op.Seq),
        ["ph"] = op.Prev.Hlc,
        ["po"] = op.Prev.Origin,
    };

    public static StoredRecord ToRecord(BsonDocument d)
    {
        var id = d["_id"].AsString;
        var scopeEnd = id.IndexOf('/');
        var sectionEnd = id.IndexOf('/', scopeEnd + 1);
        return new StoredRecord(id[..scopeEnd], id[(scopeEnd + 1)..sectionEnd], id[(sectionEnd + 1)..],
            d["v"].IsNull ? null : d["v"].AsString, new RecordVersion(d["h"].AsInt64, d["o"].AsString));
    }

    public static Operation ToOperation(BsonDocument d)
    {
        var record = ToRecord(d);
        return new Operation(record.Version.Origin, d[LogField].AsInt64 & SeqMask, record, new RecordVersion(d["ph"].AsInt64, d["po"].AsString));
    }

    /// <summary>Sorts as the origins' logs do: by origin number, then by sequence.</summary>
    public static long LogPosition(long originNumber, long seq) => (originNumber << SeqBits) | (seq & SeqMask);
}
