using System.Buffers.Binary;

namespace Appliance.Tests.Harness;

/// <summary>
/// Walks the TLS record layer of one direction of a TCP stream and says what is wrong with it:
/// the first byte must start a handshake record, every record must be a TLS content type
/// (0x14-0x17) with a legal version and length, and nothing may follow but records. From the
/// server's direction it reads the ServerHello's supported_versions extension (TLS 1.3 = 0x0304).
/// </summary>
public static class TlsRecordChecker
{
    public const byte ChangeCipherSpec = 0x14;
    public const byte Alert = 0x15;
    public const byte Handshake = 0x16;
    public const byte ApplicationData = 0x17;
    private const int MaxCiphertext = (1 << 14) + 256;

    public static TlsDirectionReport Check(ReadOnlySpan<byte> stream, bool fromClient)
    {
        var records = new List<TlsRecord>();
        var errors = new List<string>();
        ushort? serverVersion = null;
        var offset = 0;
        while (offset < stream.Length)
        {
            if (stream.Length - offset < 5)
            {
                // A record cut off by the end of the capture is not an error; its start was valid.
                return new TlsDirectionReport(records, errors, serverVersion, stream.Length - offset);
            }
            var type = stream[offset];
            var version = BinaryPrimitives.ReadUInt16BigEndian(stream[(offset + 1)..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(stream[(offset + 3)..]);
            var first = records.Count == 0;
            if (first && type != Handshake)
                errors.Add($"byte 0: stream starts with 0x{type:x2}, not a TLS handshake record (0x16)");
            if (type is < ChangeCipherSpec or > ApplicationData)
            {
                errors.Add($"byte {offset}: 0x{type:x2} is not a TLS content type; the rest is not TLS");
                break;
            }
            // Only a client's first record may say 0x0301 (RFC 8446 5.1); all others say 0x0303.
            if (version != 0x0303 && !(first && fromClient && version == 0x0301))
                errors.Add($"byte {offset}: record version 0x{version:x4}, expected 0x0303");
            if (length > MaxCiphertext) errors.Add($"byte {offset}: record length {length} exceeds {MaxCiphertext}");
            if (stream.Length - offset - 5 < length)
                return new TlsDirectionReport([.. records, new TlsRecord(type, version, length, offset)], errors, serverVersion, stream.Length - offset);
            var body = stream.Slice(offset + 5, length);
            if (!fromClient && type == Handshake && serverVersion is null) serverVersion = SupportedVersion(body);
            records.Add(new TlsRecord(type, version, length, offset));
            offset += 5 + length;
        }
        return new TlsDirectionReport(records, errors, serverVersion, 0);
    }

    /// <summary>The selected_version of a ServerHello's supported_versions extension (0x002b), if present.</summary>
    public static ushort? SupportedVersion(ReadOnlySpan<byte> handshake)
    {
        if (handshake.Length < 4 || handshake[0] != 0x02) return null;
        var p = 4 + 2 + 32; // header, legacy_version, random
        if (handshake.Length < p + 1) return null;
        p += 1 + handshake[p]; // legacy_session_id_echo
        p += 2 + 1; // cipher_suite, legacy_compression_method
        if (handshake.Length < p + 2) return null;
        var end = Math.Min(handshake.Length, p + 2 + BinaryPrimitives.ReadUInt16BigEndian(handshake[p..]));
        p += 2;
        while (p + 4 <= end)
        {
            var ext = BinaryPrimitives.ReadUInt16BigEndian(handshake[p..]);
            var len = BinaryPrimitives.ReadUInt16BigEndian(handshake[(p + 2)..]);
            if (ext == 0x002b && len == 2 && p + 6 <= end) return BinaryPrimitives.ReadUInt16BigEndian(handshake[(p + 4)..]);
            p += 4 + len;
        }
        return null;
    }
}

public sealed record TlsRecord(byte Type, ushort Version, int Length, int Offset);

public sealed record TlsDirectionReport(IReadOnlyList<TlsRecord> Records, IReadOnlyList<string> Errors, ushort? ServerSelectedVersion, int TrailingBytes)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>Bytes of application_data records: the encrypted traffic after the handshake.</summary>
    public long ApplicationDataBytes => Records.Where(r => r.Type == TlsRecordChecker.ApplicationData).Sum(r => (long)r.Length);

    /// <summary>Record types and lengths, e.g. "16:512 14:1 17:526 17:97", for a test's output.</summary>
    public string Describe() => string.Join(' ', Records.Select(r => $"{r.Type:x2}:{r.Length}"));

    public int ApplicationDataRecords => Records.Count(r => r.Type == TlsRecordChecker.ApplicationData);

    /// <summary>
    /// In TLS 1.3 everything after the ServerHello is encrypted: only application_data records,
    /// plus at most the middlebox-compatibility change_cipher_spec.
    /// </summary>
    public IEnumerable<string> PlaintextAfterHello() => Records.Skip(1)
        .Where(r => r.Type is not (TlsRecordChecker.ApplicationData or TlsRecordChecker.ChangeCipherSpec))
        .Select(r => $"byte {r.Offset}: plaintext record type 0x{r.Type:x2} after the first record");
}
