using System.Net;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Fuzz;

/// <summary>
/// The op codec: the first input byte picks the payload kind (even: an op batch of the live stream,
/// odd: a recovery records reply), the rest is the frame payload.
/// </summary>
internal sealed class OpCodecTarget : FuzzTarget
{
    public override string Name => "opcodec";

    public override string Description => "OpCodec.DecodeBatch / DecodeRecords, then a re-encode round trip; refusal: ProtocolViolationException";

    public override string? Run(byte[] input)
    {
        var (mode, body) = Split(input);
        var payload = body.AsMemory();
        try
        {
            if ((mode & 1) == 0)
            {
                var batch = OpCodec.DecodeBatch(new Frame(FrameType.OpBatch, payload));
                var again = OpCodec.DecodeBatch(new Frame(FrameType.OpBatch, OpCodec.Encode(batch)));
                Check(batch.Ops, again.Ops);
                if (!again.Ranges.SequenceEqual(batch.Ranges))
                    throw new InvariantException("a batch's ranges change when it is encoded and decoded again");
            }
            else
            {
                var reply = OpCodec.DecodeRecords(new Frame(FrameType.RecordsReply, payload));
                var again = OpCodec.DecodeRecords(new Frame(FrameType.RecordsReply, OpCodec.Encode(reply)));
                Check(reply.Records, again.Records);
                if (again.More != reply.More)
                    throw new InvariantException("a reply's More flag changes when it is encoded and decoded again");
            }
        }
        catch (ProtocolViolationException e)
        {
            return e.Message;
        }
        return null;
    }

    /// <summary>What the store and the digests rely on, and what a relay (decode, then encode for the next peer) must keep.</summary>
    private static void Check(IReadOnlyList<Operation> ops, IReadOnlyList<Operation> again)
    {
        foreach (var op in ops)
        {
            if (op.Seq < 0 || op.Record.Version.Hlc < 0 || op.Prev.Hlc < 0 || op.Record.Version.Origin != op.Origin)
                throw new InvariantException($"decoded an op the store cannot take: {op}");
        }
        if (!again.SequenceEqual(ops))
            throw new InvariantException("ops change when they are encoded and decoded again (as a relaying peer does)");
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var write = new Operation("peer-a", 42,
            new StoredRecord("peer:peer-a", "ipv4", "", "{\"address\":\"198.18.0.11\"}", new RecordVersion(1_700_000_000_000_123, "peer-a")),
            new RecordVersion(1_700_000_000_000_001, "peer-b"));
        var delete = new Operation("peer-b", 7,
            new StoredRecord("cluster", "bridges", "b1", null, new RecordVersion(99, "peer-b")), RecordVersion.None);
        yield return ("batch", FuzzInput.WithMode(0, OpCodec.Encode(new OpBatch([write, delete], [new OpRange("peer-a", 40, 45), new OpRange("peer-b", 0, 7)]))));
        yield return ("batch-empty", FuzzInput.WithMode(0, OpCodec.Encode(new OpBatch([], [new OpRange("peer-a", 3, 3)]))));
        yield return ("records", FuzzInput.WithMode(1, OpCodec.Encode(new RecordsReply([write, delete], More: true))));
        yield return ("records-empty", FuzzInput.WithMode(1, OpCodec.Encode(new RecordsReply([], More: false))));
    }
}
