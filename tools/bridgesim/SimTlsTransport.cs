using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Sip;

namespace Appliance.BridgeSim;

/// <summary>
/// SIP over TLS for the simulator (--sip-tls): the library's TCP transport with each connection in
/// TLS 1.2 or 1.3. Accepted connections present the --cert/--key certificate (the HTTPS API's). A
/// connection the simulator opens (a BYE to a caller's Contact) accepts any certificate: the
/// simulator stands in for a bridge under test, it does not test its callers.
/// </summary>
internal sealed class SimTlsTransport : SipTcpTransport
{
    private readonly X509Certificate2 _certificate;

    private SimTlsTransport(Socket listener, X509Certificate2 certificate) : base(listener, SipLimits.Default) => _certificate = certificate;

    public static SimTlsTransport Listen(IPEndPoint local, X509Certificate2 certificate) => new(BindListener(local), certificate);

    public override string Protocol => "TLS";

    protected override async ValueTask<Stream> SecureAsync(NetworkStream stream, IPEndPoint remote, bool inbound, CancellationToken ct)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        handshake.CancelAfter(TimeSpan.FromSeconds(10));
        const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        try
        {
            if (inbound)
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate, EnabledSslProtocols = Protocols }, handshake.Token);
            else
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = remote.Address.ToString(), EnabledSslProtocols = Protocols, RemoteCertificateValidationCallback = (_, _, _, _) => true,
                }, handshake.Token);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }
}
