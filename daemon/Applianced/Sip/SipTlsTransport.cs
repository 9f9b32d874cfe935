using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Certificates;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

/// <summary>
/// SIP over TLS on the trunk (RFC 3261 section 26.2, port 5061): the TCP transport with every
/// connection wrapped in TLS 1.2 or 1.3, no renegotiation. Accepted connections are served with
/// <see cref="SipCertificate"/>'s certificate, chosen on each handshake (a newly selected certificate
/// is served without a restart). Connections this side opens go to bridges (leg B to a bridge whose
/// sipTransport is tls): the bridge's certificate is checked as its HTTPS API's is
/// (<see cref="BridgeClient.Check"/>: it names the bridge's address and chains to certificates.trustedCa),
/// and a refusal says why.
/// </summary>
internal sealed class SipTlsTransport : SipTcpTransport
{
    /// <summary>A side that connects and never finishes the handshake holds a connection slot no longer than this.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<SslStreamCertificateContext> _certificate;
    private readonly Func<IPEndPoint, BridgeClient?> _bridgeAt;

    private SipTlsTransport(Socket listener, Func<SslStreamCertificateContext> certificate, Func<IPEndPoint, BridgeClient?> bridgeAt)
        : base(listener, SipLimits.Default) => (_certificate, _bridgeAt) = (certificate, bridgeAt);

    /// <summary>Listens on <paramref name="local"/>; <paramref name="bridgeAt"/> names the bridge whose SIP/TLS side is at an address (null: none).</summary>
    public static SipTlsTransport Listen(IPEndPoint local, Func<SslStreamCertificateContext> certificate, Func<IPEndPoint, BridgeClient?> bridgeAt) =>
        new(BindListener(local), certificate, bridgeAt);

    public override string Protocol => "TLS";

    protected override async ValueTask<Stream> SecureAsync(NetworkStream stream, IPEndPoint remote, bool inbound, CancellationToken ct)
    {
        var bridge = inbound ? null : _bridgeAt(remote) ?? throw new IOException($"no bridge configured takes SIP over TLS at {remote}");
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        handshake.CancelAfter(HandshakeTimeout);
        string? refusal = null;
        try
        {
            if (bridge is null)
                await tls.AuthenticateAsServerAsync(ServerTls.Options(_certificate()), handshake.Token).ConfigureAwait(false);
            else
                await tls.AuthenticateAsClientAsync(ClientOptions(bridge, why => refusal = why), handshake.Token).ConfigureAwait(false);
            return tls;
        }
        catch (AuthenticationException e) when (refusal is not null)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException($"bridge {bridge!.Endpoint.Name}: {refusal}", e);
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static SslClientAuthenticationOptions ClientOptions(BridgeClient bridge, Action<string> refused) => new()
    {
        TargetHost = bridge.Endpoint.Address,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        AllowRenegotiation = false,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            var (ok, reason) = BridgeClient.Check(bridge.Tls, bridge.Endpoint.Address, certificate, chain, errors);
            if (!ok) refused(reason!);
            return ok;
        },
    };
}
