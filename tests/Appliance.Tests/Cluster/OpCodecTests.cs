using System.Net;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Tests.Cluster;

public class OpCodecTests
{
    private static readonly Operation Write = new("peer-a", 42,
        new StoredRecord("peer:peer-a", "ipv4", "", "{\"address\":\"198.18.0.11\",\"note\":\"é ✓\"}", new RecordVersion(1_700_000_000_000_123, "peer-a")),
        new RecordVersion(1_700_000_000_000_001, "peer-b"));

    private static readonly Operation Delete = new("peer-b", 7,
        new StoredRecord("cluster", "bridges", "b1", null, new RecordVersion(99, "peer-b")), RecordVersion.None);

    [Fact]
    public void Records_and_batches_round_trip_with_tombstones_and_ranges()
    {
        var reply = OpCodec.DecodeRecords(new Frame(FrameType.RecordsReply, OpCodec.Encode(new RecordsReply([Write, Delete], More: true))));
        Assert.Equal([Write, Delete], reply.Records);
        Assert.True(reply.More);

        var batch = OpCodec.DecodeBatch(new Frame(FrameType.OpBatch,
            OpCodec.Encode(new OpBatch([Write, Delete], [new OpRange("peer-a", 40, 45), new OpRange("peer-b", 0, 7)]))));
        Assert.Equal([Write, Delete], batch.Ops);
        Assert.Equal([new OpRange("peer-a", 40, 45), new OpRange("peer-b", 0, 7)], batch.Ranges);
    }

    [Fact]
    public void Repeated_strings_are_sent_once()
    {
        var ops = Enumerable.Range(1, 1000).Select(i => Write with { Seq = i, Record = Write.Record with { Key = $"k{i}" } }).ToList();
        var bytes = OpCodec.Encode(new RecordsReply(ops, More: false)).Length;
        // Value (~45 bytes) + key + numbers; the origin, scope and section appear once in the table.
        Assert.True(bytes < 1000 * 80, $"{bytes} bytes for 1000 records");
    }

    [Fact]
    public void Every_truncation_and_corruption_is_a_protocol_violation()
    {
        var payload = OpCodec.Encode(new OpBatch([Write, Delete], [new OpRange("peer-a", 40, 45)]));
        for (var length = 0; length < payload.Length; length++)
            Assert.Throws<ProtocolViolationException>(() => OpCodec.DecodeBatch(new Frame(FrameType.OpBatch, payload[..length])));
        Assert.Throws<ProtocolViolationException>(() => OpCodec.DecodeBatch(new Frame(FrameType.OpBatch, payload.Append((byte)0).ToArray())));
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var garbage = payload.ToArray();
            garbage[random.Next(garbage.Length)] = (byte)random.Next(256);
            try { OpCodec.DecodeBatch(new Frame(FrameType.OpBatch, garbage)); }
            catch (ProtocolViolationException) { }
        }
        // A count far beyond any real payload is refused before anything is allocated for it.
        Assert.Throws<ProtocolViolationException>(() => OpCodec.DecodeRecords(new Frame(FrameType.RecordsReply, new byte[] { 0xFF, 0xFF, 0xFF, 0x7F })));
    }
}
