using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Cluster.Transport;

public static partial class KeyProof
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// What each side says first (ProofNonce): version (1 byte) | nonce (32) | cluster id (UTF-8,
    /// 0..64 bytes, empty while the peer has none). Nothing in it is secret. Releases before V3
    /// sent the bare nonce; a later version is recognised by its first byte alone.
    /// </summary>
    private sealed record Announcement(int Version, byte[] Nonce, string? ClusterId)
    {
        public static Announcement Ours(string? clusterId)
        {
            ClusterSecret.CheckClusterId(clusterId);
            return new Announcement(ProtocolVersions.Current, RandomNumberGenerator.GetBytes(NonceSize), clusterId);
        }

        /// <summary>The version for a status line: "2 or older" for a bare nonce.</summary>
        public string VersionText => Nonce.Length == 0 && Version == ProtocolVersions.V2 ? $"{Version} or older" : $"{Version}";

        public byte[] Encode()
        {
            var id = ClusterId is null ? [] : Encoding.UTF8.GetBytes(ClusterId);
            var payload = new byte[1 + NonceSize + id.Length];
            payload[0] = (byte)Version;
            Nonce.CopyTo(payload, 1);
            id.CopyTo(payload, 1 + NonceSize);
            return payload;
        }

        public static Announcement Parse(ReadOnlySpan<byte> payload)
        {
            if (payload.Length == NonceSize)
                return new Announcement(ProtocolVersions.V2, [], null);
            if (payload.IsEmpty)
                throw new ProtocolViolationException("key proof: ProofNonce is empty");
            if (payload[0] != ProtocolVersions.Current)
                return new Announcement(payload[0], [], null);
            if (payload.Length < 1 + NonceSize)
                throw new ProtocolViolationException($"key proof: ProofNonce carries {payload.Length} bytes, at least {1 + NonceSize} expected");
            var id = payload[(1 + NonceSize)..];
            if (id.Length > ClusterSecret.MaxClusterIdBytes)
                throw new ProtocolViolationException($"key proof: the announced cluster id has {id.Length} bytes, the limit is {ClusterSecret.MaxClusterIdBytes}");
            try
            {
                return new Announcement(payload[0], payload.Slice(1, NonceSize).ToArray(), id.IsEmpty ? null : StrictUtf8.GetString(id));
            }
            catch (DecoderFallbackException)
            {
                throw new ProtocolViolationException("key proof: the announced cluster id is not UTF-8");
            }
        }
    }

    /// <summary>The one-byte payloads of ProofRefused: 1 from the acceptor, 2 from the dialer.</summary>
    private static class RefusalCodes
    {
        public static readonly byte[] NotListed = [1];
        public static readonly byte[] SecretNotReady = [2];
    }

    /// <summary>The refusal a ProofRefused frame carries; each side expects the one code the other may send.</summary>
    private static Exception Refusal(Frame frame, ProofRefusal expected, string? detail)
    {
        var code = expected == ProofRefusal.NotListed ? RefusalCodes.NotListed : RefusalCodes.SecretNotReady;
        if (!Payload(frame, FrameType.ProofRefused, 1).Span.SequenceEqual(code))
            throw new ProtocolViolationException($"key proof: ProofRefused with code {frame.Payload.Span[0]}, expected {code[0]}");
        return new ProofRefusedException(expected, detail);
    }

    private static ValueTask WriteAsync(Stream stream, byte type, ReadOnlyMemory<byte> payload, CancellationToken ct) =>
        FrameCodec.WriteAsync(stream, type, payload, ct);

    private static async Task<Frame> ReadFrameAsync(Stream stream, CancellationToken ct) =>
        await FrameCodec.ReadAsync(stream, MaxHandshakePayload, FrameCodec.Phase.Handshake, ct).ConfigureAwait(false)
        ?? throw new IOException("the peer closed the connection during the key proof");

    /// <summary>The payload of a frame that must be <paramref name="type"/> (and <paramref name="size"/> bytes, when given).</summary>
    private static ReadOnlyMemory<byte> Payload(Frame frame, byte type, int? size = null)
    {
        if (frame.Type != type)
            throw new ProtocolViolationException($"key proof: expected {FrameType.Describe(type)}, got {FrameType.Describe(frame.Type)}");
        if (size is { } expected && frame.Payload.Length != expected)
            throw new ProtocolViolationException(
                $"key proof: {FrameType.Describe(type)} carries {frame.Payload.Length} bytes, expected {expected}");
        return frame.Payload;
    }
}
