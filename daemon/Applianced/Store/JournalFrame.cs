using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// Writes a journal frame's payload, {r: [record documents], m: [meta documents]}, as the BSON
/// LiteDB's serializer writes for the same documents (the replay reads it with that serializer), but
/// straight from the operations: building a document of seven values for every record of a commit,
/// then serializing it through a growing stream, was a tenth of a commit's time on the writer and
/// most of its allocations outside LiteDB (issue 19). The few meta documents go through LiteDB.
/// One writer per store, used under its write lock.
/// </summary>
internal sealed class JournalFrame
{
    private const byte Int64Type = 0x12, StringType = 0x02, NullType = 0x0A, DocumentType = 0x03, ArrayType = 0x04;
    private ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    /// <summary>A buffer grown past this by a huge frame (a recovery merge's) is dropped at the next one.</summary>
    private const int MaxKept = 4 << 20;

    /// <summary>The payload of one frame; valid until the next call.</summary>
    public ReadOnlySpan<byte> Write(IReadOnlyCollection<Unflushed> records, IReadOnlyCollection<BsonDocument> meta)
    {
        if (_buffer.Capacity > MaxKept) _buffer = new ArrayBufferWriter<byte>(64 * 1024);
        _buffer.ResetWrittenCount();
        var frame = Begin();
        var r = BeginElement(ArrayType, "r");
        var i = 0;
        foreach (var record in records) WriteRecord(Index(i++), record);
        End(r);
        var m = BeginElement(ArrayType, "m");
        i = 0;
        foreach (var doc in meta)
        {
            Byte(DocumentType);
            CString(Index(i++));
            Bytes(BsonSerializer.Serialize(doc));
        }
        End(m);
        End(frame);
        return _buffer.WrittenSpan;
    }

    private void WriteRecord(string index, Unflushed u)
    {
        var (op, originNumber) = (u.Op, u.OriginNumber);
        var doc = BeginElement(DocumentType, index);
        String("_id", op.Record.Id);
        if (op.Record.Value is null) Element(NullType, "v");
        else String("v", op.Record.Value);
        Int64("h", op.Record.Version.Hlc);
        String("o", op.Origin);
        Int64(RecordMapping.LogField, RecordMapping.LogPosition(originNumber, op.Seq));
        Int64("ph", op.Prev.Hlc);
        String("po", op.Prev.Origin);
        End(doc);
    }

    private static readonly string[] Indexes = Enumerable.Range(0, 1024).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private static string Index(int i) => i < Indexes.Length ? Indexes[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A document's length is written when it ends: returns where it goes.</summary>
    private int Begin()
    {
        var at = _buffer.WrittenCount;
        Bytes([0, 0, 0, 0]);
        return at;
    }

    private int BeginElement(byte type, string name)
    {
        Element(type, name);
        return Begin();
    }

    private void End(int at)
    {
        Byte(0);
        var length = _buffer.WrittenCount - at;
        // ArrayBufferWriter hands out only the free space: patch the length through the written memory.
        BinaryPrimitives.WriteInt32LittleEndian(System.Runtime.InteropServices.MemoryMarshal.AsMemory(_buffer.WrittenMemory).Span[at..], length);
    }

    private void Element(byte type, string name)
    {
        Byte(type);
        CString(name);
    }

    private void String(string name, string value)
    {
        Element(StringType, name);
        var bytes = Encoding.UTF8.GetByteCount(value);
        var span = _buffer.GetSpan(4 + bytes + 1);
        BinaryPrimitives.WriteInt32LittleEndian(span, bytes + 1);
        Encoding.UTF8.GetBytes(value, span[4..]);
        span[4 + bytes] = 0;
        _buffer.Advance(4 + bytes + 1);
    }

    private void Int64(string name, long value)
    {
        Element(Int64Type, name);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    private void CString(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        var span = _buffer.GetSpan(bytes + 1);
        Encoding.UTF8.GetBytes(text, span);
        span[bytes] = 0;
        _buffer.Advance(bytes + 1);
    }

    private void Byte(byte b)
    {
        _buffer.GetSpan(1)[0] = b;
        _buffer.Advance(1);
    }

    private void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);
}
