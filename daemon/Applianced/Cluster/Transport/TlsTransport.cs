using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// TLS 1.3 connections between peers, authenticated by the key proof. The same transport serves
/// 4372 (live stream) and 4371 (recovery). Certificates and the cluster credentials (key and
/// cluster id) come from selectors so either can change without rebuilding the transport; each
/// new connection uses the current ones.
/// </summary>
public sealed partial class TlsTransport
{
    private readonly Func<X509Certificate2> _certificateSelector;
    private readonly Func<ClusterCredentials> _credentialsSelector;
    private readonly Action<string> _log;

    public TlsTransport(Func<X509Certificate2> certificateSelector, Func<ClusterCredentials> credentialsSelector,
        TransportOptions? options = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(certificateSelector);
        ArgumentNullException.ThrowIfNull(credentialsSelector);
        Options = options ?? new TransportOptions();
        Options.Validate();
        _certificateSelector = certificateSelector;
        _credentialsSelector = credentialsSelector;
        _log = log ?? (_ => { });
    }

    public TransportOptions Options { get; }

    /// <summary>For testing: wraps the raw network stream (under TLS), e.g. to record bytes.</summary>
    internal Func<Stream, Stream>? WrapNetworkStream { get; set; }

    /// <summary>
    /// Connects, runs TLS and the key proof, and returns the authenticated channel (the caller
    /// owns it). Throws TimeoutException (connect or handshake), ProofRefusedException,
    /// KeyMismatchException, AuthenticationException (TLS), ProtocolViolationException or SocketException.
    /// </summary>
    public async Task<PeerChannel> ConnectAsync(IPEndPoint remote, CancellationToken ct, IPAddress? localAddress = null)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (localAddress is not null)
                socket.Bind(new IPEndPoint(localAddress, 0));
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                connectTimeout.CancelAfter(Options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(remote, connectTimeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"connecting to {remote} timed out after {Options.ConnectTimeout.TotalSeconds:0.###} s");
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await AuthenticateAsync(socket, isClient: true, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes ownership of <paramref name="socket"/>: on failure it is closed. The handshake and key
    /// proof must end within <paramref name="limit"/>, <see cref="TransportOptions.HandshakeTimeout"/> unless given.
    /// </summary>
    internal async Task<PeerChannel> AuthenticateAsync(Socket socket, bool isClient, CancellationToken ct, TimeSpan? limit = null)
    {
        var within = limit ?? Options.HandshakeTimeout;
        socket.NoDelay = true;
        var remote = (IPEndPoint?)socket.RemoteEndPoint;
        var local = (IPEndPoint?)socket.LocalEndPoint;
        Stream network = new NetworkStream(socket, ownsSocket: true);
        if (WrapNetworkStream is { } wrap)
            network = wrap(network);
        string? refusal = null;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within);
        try
        {
            if (isClient)
                await ssl.AuthenticateAsClientAsync(ClientOptions(r => refusal = r), timeout.Token).ConfigureAwait(false);
            else
                await ssl.AuthenticateAsServerAsync(ServerOptions(r => refusal = r), timeout.Token).ConfigureAwait(false);
            if (ssl.SslProtocol != SslProtocols.Tls13)
                throw new AuthenticationException($"negotiated {ssl.SslProtocol}, only TLS 1.3 is allowed");
            var remoteCertificate = ssl.RemoteCertificate
                ?? throw new AuthenticationException("the peer presented no certificate");

            await KeyProof.RunAsync(ssl, isClient, _credentialsSelector(), remote?.Address, CertificateHash.Of(ssl.LocalCertificate),
                CertificateHash.Of(remoteCertificate), timeout.Token).ConfigureAwait(false);
            return new PeerChannel(ssl, isClient, remoteCertificate, remote, local, ssl.SslProtocol, Options.MaxFrameSize, _log);
        }
        catch (Exception e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (e is OperationCanceledException && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
                throw new TimeoutException(
                    $"TLS handshake and key proof with {remote} did not complete within {within.TotalSeconds:0.###} s");
            if (e is AuthenticationException && refusal is not null)
                throw new AuthenticationException($"TLS handshake with {remote} failed: {refusal}", e);
            throw;
        }
    }

    private SslServerAuthenticationOptions ServerOptions(Action<string> refuse) => new()
    {
        EnabledSslProtocols = SslProtocols.Tls13,
        ServerCertificateSelectionCallback = (_, _) => _certificateSelector(),
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Validate(certificate, refuse),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
        // A resumed session skips the certificates the key proof binds to: the two sides would
        // then hash different certificates and see a false key mismatch. Always a full handshake.
        AllowTlsResume = false,
    };

    private SslClientAuthenticationOptions ClientOptions(Action<string> refuse) => new()
    {
        // Peers are not named in their certificates' SAN; the key proof authenticates them.
        TargetHost = "appliance-peer",
        EnabledSslProtocols = SslProtocols.Tls13,
        LocalCertificateSelectionCallback = (_, _, _, _, _) => _certificateSelector(),
        RemoteCertificateValidationCallback = (_, certificate, _, _) => Validate(certificate, refuse),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        AllowRenegotiation = false,
        // A resumed session skips the certificates the key proof binds to: the two sides would
        // then hash different certificates and see a false key mismatch. Always a full handshake.
        AllowTlsResume = false,
    };

    /// <summary>
    /// Any certificate is accepted (they are self-signed; chain and name errors are expected):
    /// it only has to exist, because the key proof binds to its hash.
    /// </summary>
    private static bool Validate(X509Certificate? certificate, Action<string> refuse)
    {
        if (certificate is not null)
            return true;
        refuse("the peer presented no certificate");
        return false;
    }
}
