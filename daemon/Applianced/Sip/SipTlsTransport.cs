using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Appliance.Daemon.Certificates;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

/// <summary>
/// SIP over TLS on the trunk (RFC 3261 section 26.2, port 5061): the TCP transport with every accepted
/// connection wrapped in TLS 1.2 or 1.3, presenting <see cref="SipCertificate"/>'s certificate, chosen
/// on each handshake (a newly selected certificate is served without a restart). Requests and
/// responses travel the caller's connection; this side opens none (leg B to a bridge whose
/// sipTransport is tls is refused with 503, CONFERENCING.md "Transports toward the bridge").
/// </summary>
internal sealed class SipTlsTransport : SipTcpTransport
{
    /// <summary>A client that connects and never finishes the handshake holds a connection slot no longer than this.</summary>
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly Func<SslStreamCertificateContext> _certificate;

    private SipTlsTransport(Socket listener, Func<SslStreamCertificateContext> certificate) : base(listener, SipLimits.Default) =>
        _certificate = certificate;

    public static SipTlsTransport Listen(IPEndPoint local, Func<SslStreamCertificateContext> certificate) => new(BindListener(local), certificate);

    public override string Protocol => "TLS";

    protected override async ValueTask<Stream> SecureAsync(NetworkStream stream, IPEndPoint remote, bool inbound, CancellationToken ct)
    {
        if (!inbound) throw new IOException($"this peer does not open SIP over TLS connections (to {remote})");
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        handshake.CancelAfter(HandshakeTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(ServerTls.Options(_certificate()), handshake.Token).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
