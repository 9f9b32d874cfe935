using System.Security.Cryptography.X509Certificates;
using Nerdbank.Streams;

namespace Appliance.Daemon.Cluster.Transport;

// In-memory pairs for protocol-logic tests: the same framing and key proof without sockets.
// Without certificates both sides bind the proof to the hash of the empty string.
public sealed partial class PeerChannel
{
    /// <summary>Two connected channels with no key proof (replication logic tests).</summary>
    public static (PeerChannel Client, PeerChannel Server) CreatePair(int maxFrameSize = FrameCodec.DefaultMaxPayload, Action<string>? log = null)
    {
        var (a, b) = FullDuplexStream.CreatePair();
        return (Wrap(a, isClient: true, maxFrameSize, log), Wrap(b, isClient: false, maxFrameSize, log));
    }

    /// <summary>
    /// Two channels that ran the key proof over an in-memory duplex. Throws what the client side
    /// threw (e.g. <see cref="KeyMismatchException"/>) when the proof fails.
    /// </summary>
    public static async Task<(PeerChannel Client, PeerChannel Server)> CreateAuthenticatedPairAsync(
        ClusterCredentials clientCredentials, ClusterCredentials serverCredentials, CancellationToken ct,
        int maxFrameSize = FrameCodec.DefaultMaxPayload, Action<string>? log = null)
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var client = AuthenticateAsync(a, isClient: true, clientCredentials, null, null, maxFrameSize, log, ct);
        var server = AuthenticateAsync(b, isClient: false, serverCredentials, null, null, maxFrameSize, log, ct);
        try
        {
            await Task.WhenAll(client, server).ConfigureAwait(false);
        }
        catch
        {
            await a.DisposeAsync().ConfigureAwait(false);
            await b.DisposeAsync().ConfigureAwait(false);
            await (client.IsFaulted ? client : server).ConfigureAwait(false); // rethrow the client's error first
            throw;
        }
        return (client.Result, server.Result);
    }

    /// <summary>
    /// Runs the key proof over any stream and wraps it. The transport calls this with the
    /// SslStream and both TLS certificates; tests call it with in-memory streams.
    /// </summary>
    internal static async Task<PeerChannel> AuthenticateAsync(Stream stream, bool isClient, ClusterCredentials credentials,
        X509Certificate? localCertificate, X509Certificate? remoteCertificate, int maxFrameSize, Action<string>? log,
        CancellationToken ct)
    {
        await KeyProof.RunAsync(stream, isClient, credentials, remoteAddress: null, CertificateHash.Of(localCertificate),
            CertificateHash.Of(remoteCertificate), ct).ConfigureAwait(false);
        return Wrap(stream, isClient, maxFrameSize, log, remoteCertificate);
    }

    private static PeerChannel Wrap(Stream stream, bool isClient, int maxFrameSize, Action<string>? log,
        X509Certificate? remoteCertificate = null) =>
        new(stream, isClient, remoteCertificate, null, null, null, maxFrameSize, log);
}
