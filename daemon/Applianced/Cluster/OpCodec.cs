using System.Net;
using System.Text;
using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Binary encoding of the bulk payloads, op batches (4372) and recovered records (4371): a table of
/// the strings that repeat (origins, scopes, sections) and then each operation as varints and
/// length-prefixed UTF-8. About half the bytes of JSON and far less work per record, which is what
/// a join of 100,000 records and the live stream spend their time on.
/// </summary>
public static class OpCodec
{
    /// <summary>More than any sender puts in one frame; a payload claiming more is hostile.</summary>
    public const int MaxItems = 100_000;

    public static byte[] Encode(OpBatch batch)
    {
        var table = new StringTable();
        foreach (var r in batch.Ranges) table.Add(r.Origin);
        return Encode(table, batch.Ops, w =>
        {
            w.Write7BitEncodedInt(batch.Ranges.Count);
            foreach (var r in batch.Ranges)
            {
                w.Write7BitEncodedInt(table.IndexOf(r.Origin));
                w.Write7BitEncodedInt64(r.After);
                w.Write7BitEncodedInt64(r.Through);
            }
        });
    }

    public static OpBatch DecodeBatch(Frame frame) => Decode(frame, r =>
    {
        var table = StringTable.Read(r);
        var ranges = new List<OpRange>();
        for (var i = Count(r); i > 0; i--) ranges.Add(new OpRange(table.Get(r), NonNegative(r), NonNegative(r)));
        return new OpBatch(ReadOps(r, table), ranges);
    });

    public static byte[] Encode(RecordsReply reply) => Encode(new StringTable(), reply.Records, w =>
    {
        w.Write(reply.More);
        var absent = reply.Absent ?? [];
        w.Write7BitEncodedInt(absent.Count);
        foreach (var hash in absent) w.Write(hash);
    });

    /// <summary>The layout both payloads share: string table, the payload's own header, then the ops.</summary>
    private static byte[] Encode(StringTable table, IReadOnlyList<Operation> ops, Action<BinaryWriter> header)
    {
        foreach (var op in ops) table.Add(op);
        using var buffer = new MemoryStream(SizeHint(ops));
        using var w = new BinaryWriter(buffer, Encoding.UTF8);
        table.Write(w);
        header(w);
        WriteOps(w, table, ops);
        w.Flush();
        return buffer.ToArray();
    }

    /// <summary>
    /// About what the ops take encoded (keys and values mostly ASCII, a few varints each): the buffer
    /// starts there instead of doubling its way up, copying the batch each time (issue 19).
    /// </summary>
    private static int SizeHint(IReadOnlyList<Operation> ops)
    {
        long size = 256;
        foreach (var op in ops) size += 48 + op.Record.Key.Length + (op.Record.Value?.Length ?? 0);
        return (int)Math.Min(size, 1 << 24);
    }

    public static RecordsReply DecodeRecords(Frame frame) => Decode(frame, r =>
    {
        var table = StringTable.Read(r);
        var more = r.ReadBoolean();
        var absent = new ulong[Count(r)];
        for (var i = 0; i < absent.Length; i++) absent[i] = r.ReadUInt64();
        return new RecordsReply(ReadOps(r, table), more, absent);
    });

    private static void WriteOps(BinaryWriter w, StringTable table, IReadOnlyList<Operation> ops)
    {
        w.Write7BitEncodedInt(ops.Count);
        foreach (var op in ops)
        {
            var r = op.Record;
            w.Write7BitEncodedInt(table.IndexOf(op.Origin));
            w.Write7BitEncodedInt64(op.Seq);
            w.Write7BitEncodedInt(table.IndexOf(r.Scope));
            w.Write7BitEncodedInt(table.IndexOf(r.Section));
            w.Write(r.Key);
            w.Write(r.Value is not null);
            if (r.Value is not null) w.Write(r.Value);
            w.Write7BitEncodedInt64(r.Version.Hlc);
            w.Write7BitEncodedInt64(op.Prev.Hlc);
            w.Write7BitEncodedInt(table.IndexOf(op.Prev.Origin));
        }
    }

    private static List<Operation> ReadOps(BinaryReader r, StringTable table)
    {
        var ops = new List<Operation>();
        for (var i = Count(r); i > 0; i--)
        {
            var origin = table.Get(r);
            var seq = NonNegative(r);
            var scope = table.Get(r);
            var section = table.Get(r);
            var key = r.ReadString();
            var value = r.ReadBoolean() ? r.ReadString() : null;
            var hlc = NonNegative(r);
            var prev = new RecordVersion(NonNegative(r), table.Get(r));
            ops.Add(new Operation(origin, seq, new StoredRecord(scope, section, key, value, new RecordVersion(hlc, origin)), prev));
        }
        return ops;
    }

    private static T Decode<T>(Frame frame, Func<BinaryReader, T> read)
    {
        try
        {
            // Read in place instead of copying the payload first.
            var payload = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(frame.Payload, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(frame.Payload.ToArray(), writable: false);
            using var r = new BinaryReader(payload, Encoding.UTF8);
            var result = read(r);
            if (r.BaseStream.Position != r.BaseStream.Length) throw new FormatException("trailing bytes");
            return result;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException or DecoderFallbackException or ArgumentException)
        {
            throw new ProtocolViolationException($"{FrameType.Describe(frame.Type)}: malformed payload: {e.Message}");
        }
    }

    private static int Count(BinaryReader r)
    {
        var n = r.Read7BitEncodedInt();
        return n is >= 0 and <= MaxItems ? n : throw new FormatException($"count {n} out of range");
    }

    private static long NonNegative(BinaryReader r)
    {
        var n = r.Read7BitEncodedInt64();
        return n >= 0 ? n : throw new FormatException($"negative number {n}");
    }

    /// <summary>Each distinct origin, scope and section once per payload; records refer to them by index.</summary>
    private sealed class StringTable
    {
        private readonly List<string> _strings = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public void Add(Operation op)
        {
            Add(op.Origin);
            Add(op.Record.Scope);
            Add(op.Record.Section);
            Add(op.Prev.Origin);
        }

        public void Add(string s)
        {
            if (_index.ContainsKey(s)) return;
            _index[s] = _strings.Count;
            _strings.Add(s);
        }

        public int IndexOf(string s) => _index[s];

        public string Get(BinaryReader r)
        {
            var i = r.Read7BitEncodedInt();
            return i >= 0 && i < _strings.Count ? _strings[i] : throw new FormatException($"string index {i} out of range");
        }

        public void Write(BinaryWriter w)
        {
            w.Write7BitEncodedInt(_strings.Count);
            foreach (var s in _strings) w.Write(s);
        }

        public static StringTable Read(BinaryReader r)
        {
            var table = new StringTable();
            for (var i = Count(r); i > 0; i--) table._strings.Add(r.ReadString());
            return table;
        }
    }
}
