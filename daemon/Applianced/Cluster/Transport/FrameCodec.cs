using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// Wire format: 4-byte big-endian payload length, 1-byte frame type, payload. The length counts
/// the payload only. Violations throw <see cref="ProtocolViolationException"/>; the owner of the
/// stream closes it (the codec never tries to resynchronise on a byte stream).
/// </summary>
public static class FrameCodec
{
    public const int HeaderSize = 5;
    public const int DefaultMaxPayload = 16 * 1024 * 1024;

    public enum Phase
    {
        /// <summary>Before the key proof: only the proof frames, tiny payloads.</summary>
        Handshake,

        /// <summary>After the key proof: only application frames.</summary>
        Application,
    }

    public static byte[] Encode(byte type, ReadOnlySpan<byte> payload)
    {
        var buffer = new byte[HeaderSize + payload.Length];
        WriteHeader(buffer, type, payload.Length);
        payload.CopyTo(buffer.AsSpan(HeaderSize));
        return buffer;
    }

    /// <summary>
    /// Writes header and payload with one stream write so TLS sends one record, not a 5-byte
    /// record followed by the payload.
    /// </summary>
    public static async ValueTask WriteAsync(Stream stream, byte type, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var length = HeaderSize + payload.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            WriteHeader(buffer, type, payload.Length);
            payload.CopyTo(buffer.AsMemory(HeaderSize));
            await stream.WriteAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads one frame. Returns null when the peer closed the connection cleanly between frames.
    /// Checks the length and type before reading (or allocating for) the payload.
    /// </summary>
    public static async ValueTask<Frame?> ReadAsync(Stream stream, int maxPayload, Phase phase, CancellationToken ct)
    {
        var header = new byte[HeaderSize];
        var got = await stream.ReadAtLeastAsync(header, HeaderSize, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < HeaderSize)
            throw new ProtocolViolationException($"truncated frame header: the connection ended after {got} of {HeaderSize} header bytes");

        var (type, length) = ParseHeader(header, maxPayload, phase);
        var payload = length == 0 ? [] : new byte[length];
        got = await stream.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (got < length)
            throw new ProtocolViolationException(
                $"truncated frame: {FrameType.Describe(type)} declared {length} payload bytes but the connection ended after {got}");
        return new Frame(type, payload);
    }

    internal static (byte Type, int Length) ParseHeader(ReadOnlySpan<byte> header, int maxPayload, Phase phase)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var type = header[4];
        if (length > (uint)maxPayload)
            throw new ProtocolViolationException(
                $"frame too large: {FrameType.Describe(type)} declares {length} payload bytes, the limit is {maxPayload}");
        if (!FrameType.IsKnown(type))
            throw new ProtocolViolationException($"unknown frame type 0x{type:X2} ({length} payload bytes declared)");
        if (phase == Phase.Handshake && !FrameType.IsHandshake(type))
            throw new ProtocolViolationException($"frame {FrameType.Describe(type)} sent before the key proof completed");
        if (phase == Phase.Application && !FrameType.IsApplication(type))
            throw new ProtocolViolationException($"key proof frame {FrameType.Describe(type)} sent after the key proof completed");
        return (type, (int)length);
    }

    private static void WriteHeader(Span<byte> buffer, byte type, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)payloadLength);
        buffer[4] = type;
    }
}
