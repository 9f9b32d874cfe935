using Appliance.Daemon.Store;
using LiteDB;

namespace Appliance.Tests.Persistence;

/// <summary>The journal's frames written by hand are the bytes LiteDB's serializer writes for the same documents (the replay reads them with it).</summary>
public sealed class JournalFrameTests
{
    private static Unflushed Record(int i, string? value, RecordVersion prev) =>
        new(new Operation($"origin-{i % 3}", 1000L + i, new StoredRecord(Scopes.Cluster, "bridges", $"key-{i}", value, new RecordVersion((1L << 40) + i, $"origin-{i % 3}")), prev),
            i % 4, isNew: i % 2 == 0);

    private static byte[] AsLiteDbWrites(IReadOnlyCollection<Unflushed> records, IReadOnlyCollection<BsonDocument> meta) =>
        BsonSerializer.Serialize(new BsonDocument
        {
            ["r"] = new BsonArray(records.Select(u => u.ToBson())),
            ["m"] = new BsonArray(meta),
        });

    [Fact]
    public void A_frame_is_byte_for_byte_what_LiteDB_writes_and_reads_back_as_the_same_operations()
    {
        var values = new[] { "{\"a\":1}", null, "", "é ü — 日本 😀 \u0001", new string('x', 5000) };
        var records = Enumerable.Range(0, 1100) // past the 1,024 array indexes kept ready
            .Select(i => Record(i, values[i % values.Length], i % 5 == 0 ? RecordVersion.None : new RecordVersion(i, "prev-origin")))
            .ToList();
        var meta = new List<BsonDocument>
        {
            new() { ["_id"] = "vv", ["v"] = new BsonDocument { ["peer-a"] = 12L, ["peer-b"] = 7L } },
            new() { ["_id"] = "clock", ["h"] = 123456789L },
        };
        var writer = new JournalFrame();

        Assert.Equal(AsLiteDbWrites(records, meta), writer.Write(records, meta).ToArray());
        var read = BsonSerializer.Deserialize(writer.Write(records, meta).ToArray());
        Assert.Equal(records.Select(r => r.Op), read["r"].AsArray.Select(d => RecordMapping.ToOperation(d.AsDocument)));
        Assert.Equal("vv", read["m"].AsArray[0]["_id"].AsString);

        // Reused for the next commit: a small frame after a big one is itself only.
        var one = records.Take(1).ToList();
        Assert.Equal(AsLiteDbWrites(one, []), writer.Write(one, []).ToArray());
        Assert.Equal(AsLiteDbWrites([], meta), writer.Write([], meta).ToArray());
    }
}
