using System.Net;
using System.Security.Cryptography;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// Mutual proof of the cluster key after the TLS handshake (.NET has no TLS-PSK). Both sides
/// send a fresh nonce, then HMAC(K, role || client nonce || server nonce || H(client cert) ||
/// H(server cert)), then a verdict. Fresh nonces stop replay, distinct role labels stop a proof
/// being reflected back, and the certificate hashes bind the proof to this TLS session: a relay
/// that terminates TLS sees different certificates on each side, so neither proof verifies.
/// Every side always sends its verdict and reads the other's, so both learn the outcome and no
/// unread bytes are left to turn the close into a reset.
/// </summary>
public static class KeyProof
{
    public const int NonceSize = 32;
    public const int ProofSize = 32;
    private const int MaxHandshakePayload = 64;

    private static readonly byte[] ClientLabel = "appliance-cluster-v1 client proof\0"u8.ToArray();
    private static readonly byte[] ServerLabel = "appliance-cluster-v1 server proof\0"u8.ToArray();

    /// <summary>
    /// Runs the proof over <paramref name="stream"/>. Returns normally only when both sides
    /// verified each other. Throws <see cref="KeyMismatchException"/> when either side rejected,
    /// <see cref="ProtocolViolationException"/> for malformed frames, IOException when the
    /// connection ends midway.
    /// </summary>
    public static async Task RunAsync(Stream stream, bool isClient, ClusterSecret secret,
        byte[] localCertificateHash, byte[] remoteCertificateHash, CancellationToken ct)
    {
        var myNonce = RandomNumberGenerator.GetBytes(NonceSize);
        await FrameCodec.WriteAsync(stream, FrameType.ProofNonce, myNonce, ct).ConfigureAwait(false);
        var theirNonce = await ReadAsync(stream, FrameType.ProofNonce, NonceSize, ct).ConfigureAwait(false);
        if (CryptographicOperations.FixedTimeEquals(myNonce, theirNonce))
            throw new ProtocolViolationException("key proof: the peer echoed our nonce back");

        var clientNonce = isClient ? myNonce : theirNonce;
        var serverNonce = isClient ? theirNonce : myNonce;
        var clientCert = isClient ? localCertificateHash : remoteCertificateHash;
        var serverCert = isClient ? remoteCertificateHash : localCertificateHash;

        var myProof = Compute(secret.DerivedKey, isClient, clientNonce, serverNonce, clientCert, serverCert);
        var expected = Compute(secret.DerivedKey, !isClient, clientNonce, serverNonce, clientCert, serverCert);
        await FrameCodec.WriteAsync(stream, FrameType.Proof, myProof, ct).ConfigureAwait(false);
        var theirProof = await ReadAsync(stream, FrameType.Proof, ProofSize, ct).ConfigureAwait(false);

        var accepted = CryptographicOperations.FixedTimeEquals(theirProof, expected);
        await FrameCodec.WriteAsync(stream, accepted ? FrameType.ProofAccepted : FrameType.ProofRejected,
            ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
        var verdict = await ReadVerdictAsync(stream, ct).ConfigureAwait(false);

        if (!accepted)
            throw new KeyMismatchException(rejectedByPeer: false);
        if (verdict == FrameType.ProofRejected)
            throw new KeyMismatchException(rejectedByPeer: true);
    }

    internal static byte[] Compute(ReadOnlySpan<byte> key, bool clientRole, ReadOnlySpan<byte> clientNonce,
        ReadOnlySpan<byte> serverNonce, ReadOnlySpan<byte> clientCertHash, ReadOnlySpan<byte> serverCertHash)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(clientRole ? ClientLabel : ServerLabel);
        hmac.AppendData(clientNonce);
        hmac.AppendData(serverNonce);
        hmac.AppendData(clientCertHash);
        hmac.AppendData(serverCertHash);
        return hmac.GetHashAndReset();
    }

    private static async Task<byte[]> ReadAsync(Stream stream, byte expectedType, int size, CancellationToken ct)
    {
        var frame = await ReadFrameAsync(stream, ct).ConfigureAwait(false);
        if (frame.Type == FrameType.ProofRejected)
            throw new KeyMismatchException(rejectedByPeer: true);
        if (frame.Type != expectedType)
            throw new ProtocolViolationException(
                $"key proof: expected {FrameType.Describe(expectedType)}, got {FrameType.Describe(frame.Type)}");
        if (frame.Payload.Length != size)
            throw new ProtocolViolationException(
                $"key proof: {FrameType.Describe(expectedType)} carries {frame.Payload.Length} bytes, expected {size}");
        return frame.Payload.ToArray();
    }

    private static async Task<byte> ReadVerdictAsync(Stream stream, CancellationToken ct)
    {
        var frame = await ReadFrameAsync(stream, ct).ConfigureAwait(false);
        if (frame.Type is not (FrameType.ProofAccepted or FrameType.ProofRejected))
            throw new ProtocolViolationException($"key proof: expected a verdict, got {FrameType.Describe(frame.Type)}");
        if (!frame.Payload.IsEmpty)
            throw new ProtocolViolationException($"key proof: {FrameType.Describe(frame.Type)} must be empty");
        return frame.Type;
    }

    private static async Task<Frame> ReadFrameAsync(Stream stream, CancellationToken ct) =>
        await FrameCodec.ReadAsync(stream, MaxHandshakePayload, FrameCodec.Phase.Handshake, ct).ConfigureAwait(false)
        ?? throw new IOException("the peer closed the connection during the key proof");
}
