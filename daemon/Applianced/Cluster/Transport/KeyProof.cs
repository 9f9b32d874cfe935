using System.Net;
using System.Security.Cryptography;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// Mutual proof of the cluster key after the TLS handshake (.NET has no TLS-PSK), protocol V3:
/// <list type="number">
/// <item>the dialer announces its version, a fresh nonce and its cluster id (ProofNonce);</item>
/// <item>the acceptor answers with its own announcement, or ProofRefused (1) when it has no
/// cluster id, the dialer has one and the acceptor does not list the dialer's address. Two
/// different ids or versions stop both sides here, before any proof;</item>
/// <item>the dialer sends its proof, or ProofRefused (2) when it has yet to derive the secret for
/// the agreed id (it dials again once it has: the acceptor never waits for a dialer's
/// derivation); the acceptor checks the proof and only then sends its own (or ProofRejected), so
/// a client that does not hold the key gets nothing to guess against offline;</item>
/// <item>the dialer checks the acceptor's proof and sends its verdict.</item>
/// </list>
/// A proof is HMAC(K, role || client nonce || server nonce || H(client cert) || H(server cert)),
/// K the <see cref="ClusterSecret"/> of the key and the one cluster id the two sides have (none
/// while neither has one). Fresh nonces stop replay, distinct role labels stop a proof being
/// reflected back, and the certificate hashes bind the proof to this TLS session: a relay that
/// terminates TLS sees different certificates on each side, so no proof verifies. Each side reads
/// everything the other wrote before it closes, so no unread bytes turn the close into a reset.
/// </summary>
public static partial class KeyProof
{
    public const int NonceSize = 32;
    public const int ProofSize = 32;
    private const int MaxHandshakePayload = 128;

    private static readonly byte[] ClientLabel = "appliance-cluster-v3 client proof\0"u8.ToArray();
    private static readonly byte[] ServerLabel = "appliance-cluster-v3 server proof\0"u8.ToArray();

    /// <summary>
    /// Runs the proof over <paramref name="stream"/>; <paramref name="remoteAddress"/> is the
    /// dialer's address on the accepting side (null: no address to check). Returns normally only
    /// when both sides verified each other. Throws <see cref="ProofRefusedException"/> when the
    /// announcements already rule the peer out, <see cref="KeyMismatchException"/> when either side
    /// rejected a proof, <see cref="ProtocolViolationException"/> for malformed frames, IOException
    /// when the connection ends midway.
    /// </summary>
    public static Task RunAsync(Stream stream, bool isClient, ClusterCredentials credentials, IPAddress? remoteAddress,
        byte[] localCertificateHash, byte[] remoteCertificateHash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(credentials);
        return isClient
            ? DialAsync(stream, credentials, new Certificates(localCertificateHash, remoteCertificateHash), ct)
            : AcceptAsync(stream, credentials, remoteAddress, new Certificates(remoteCertificateHash, localCertificateHash), ct);
    }

    private static async Task DialAsync(Stream stream, ClusterCredentials credentials, Certificates certs, CancellationToken ct)
    {
        var mine = Announcement.Ours(credentials.ClusterId);
        await WriteAsync(stream, FrameType.ProofNonce, mine.Encode(), ct).ConfigureAwait(false);
        var first = await ReadFrameAsync(stream, ct).ConfigureAwait(false);
        if (first.Type == FrameType.ProofRefused)
            throw Refusal(first, ProofRefusal.NotListed, null);
        var theirs = Announcement.Parse(Payload(first, FrameType.ProofNonce).Span);
        var clusterId = Agree(mine, theirs);
        var deriving = credentials.SecretAsync(clusterId);
        if (!deriving.IsCompleted)
        {
            await WriteAsync(stream, FrameType.ProofRefused, RefusalCodes.SecretNotReady, ct).ConfigureAwait(false);
            throw new ProofRefusedException(ProofRefusal.SecretNotReady, clusterId, deriving);
        }
        var secret = await deriving.ConfigureAwait(false);

        var nonces = new Nonces(mine.Nonce, theirs.Nonce);
        await WriteAsync(stream, FrameType.Proof, Compute(secret.DerivedKey, clientRole: true, nonces, certs), ct).ConfigureAwait(false);
        var answer = await ReadFrameAsync(stream, ct).ConfigureAwait(false);
        if (answer.Type == FrameType.ProofRejected)
        {
            Payload(answer, FrameType.ProofRejected, 0);
            throw new KeyMismatchException(rejectedByPeer: true);
        }
        var accepted = CryptographicOperations.FixedTimeEquals(Payload(answer, FrameType.Proof, ProofSize).Span,
            Compute(secret.DerivedKey, clientRole: false, nonces, certs));
        await WriteAsync(stream, accepted ? FrameType.ProofAccepted : FrameType.ProofRejected, ReadOnlyMemory<byte>.Empty, ct)
            .ConfigureAwait(false);
        if (!accepted)
            throw new KeyMismatchException(rejectedByPeer: false);
    }

    private static async Task AcceptAsync(Stream stream, ClusterCredentials credentials, IPAddress? dialer, Certificates certs,
        CancellationToken ct)
    {
        var theirs = Announcement.Parse(Payload(await ReadFrameAsync(stream, ct).ConfigureAwait(false), FrameType.ProofNonce).Span);
        if (credentials.ClusterId is null && theirs.ClusterId is not null && dialer is not null
            && credentials.AdoptsIdFrom?.Invoke(dialer) == false)
        {
            await WriteAsync(stream, FrameType.ProofRefused, RefusalCodes.NotListed, ct).ConfigureAwait(false);
            throw new ProofRefusedException(ProofRefusal.NotListed, dialer.ToString());
        }
        // Our announcement goes out even when the two cannot agree, so the dialer learns why too.
        var mine = Announcement.Ours(credentials.ClusterId);
        await WriteAsync(stream, FrameType.ProofNonce, mine.Encode(), ct).ConfigureAwait(false);
        var clusterId = Agree(mine, theirs);
        // Usually cached. Else (our own just after a key change, or a listed joiner's id while we
        // have none) it runs while the proof travels, within the handshake timeout.
        var deriving = credentials.SecretAsync(clusterId);

        var nonces = new Nonces(theirs.Nonce, mine.Nonce);
        var answer = await ReadFrameAsync(stream, ct).ConfigureAwait(false);
        if (answer.Type == FrameType.ProofRefused)
            throw Refusal(answer, ProofRefusal.SecretNotReady, clusterId);
        var proof = Payload(answer, FrameType.Proof, ProofSize);
        var secret = await deriving.WaitAsync(ct).ConfigureAwait(false);
        if (!CryptographicOperations.FixedTimeEquals(proof.Span, Compute(secret.DerivedKey, clientRole: true, nonces, certs)))
        {
            await WriteAsync(stream, FrameType.ProofRejected, ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
            throw new KeyMismatchException(rejectedByPeer: false);
        }
        // Only now, with the dialer proven to hold the key, does anything derived from it go out.
        await WriteAsync(stream, FrameType.Proof, Compute(secret.DerivedKey, clientRole: false, nonces, certs), ct).ConfigureAwait(false);
        var verdict = await ReadFrameAsync(stream, ct).ConfigureAwait(false);
        if (verdict.Type == FrameType.ProofRejected)
        {
            Payload(verdict, FrameType.ProofRejected, 0);
            throw new KeyMismatchException(rejectedByPeer: true);
        }
        Payload(verdict, FrameType.ProofAccepted, 0);
    }

    /// <summary>
    /// The cluster id both sides derive with: the one they share, or the only one that exists, or
    /// none. Different versions or two different ids end the proof here.
    /// </summary>
    private static string? Agree(Announcement mine, Announcement theirs)
    {
        if (theirs.Version != mine.Version)
            throw new ProofRefusedException(ProofRefusal.ProtocolVersion, theirs.VersionText);
        if (CryptographicOperations.FixedTimeEquals(mine.Nonce, theirs.Nonce))
            throw new ProtocolViolationException("key proof: the peer echoed our nonce back");
        if (mine.ClusterId is not null && theirs.ClusterId is not null && mine.ClusterId != theirs.ClusterId)
            throw new ProofRefusedException(ProofRefusal.OtherCluster, theirs.ClusterId);
        return mine.ClusterId ?? theirs.ClusterId;
    }

    private static byte[] Compute(ReadOnlySpan<byte> key, bool clientRole, Nonces nonces, Certificates certs) =>
        Compute(key, clientRole, nonces.Client, nonces.Server, certs.Client, certs.Server);

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

    private sealed record Nonces(byte[] Client, byte[] Server);

    private sealed record Certificates(byte[] Client, byte[] Server);
}
