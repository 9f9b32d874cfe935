using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>
/// TLS as an extension of the library's TCP transport, for tests: each connection wrapped in an
/// SslStream (TLS 1.3 unless told), the other side's certificate checked against one CA (its chain;
/// the name is sip.test). A client (no certificate of its own) of the peer's trunk over TLS, and the
/// server of <see cref="SipTlsExtensionTests"/>.
/// </summary>
internal sealed class TestTlsTransport : SipTcpTransport
{
    private readonly X509Certificate2? _certificate;
    private readonly X509Certificate2 _ca;
    private readonly SslProtocols _protocols;

    private TestTlsTransport(Socket listener, X509Certificate2? certificate, X509Certificate2 ca, SslProtocols protocols) : base(listener, SipLimits.Default)
    {
        _certificate = certificate;
        _ca = ca;
        _protocols = protocols;
    }

    public static TestTlsTransport Listen(IPEndPoint local, X509Certificate2? certificate, X509Certificate2 ca, SslProtocols protocols = SslProtocols.Tls13) =>
        new(BindListener(local), certificate, ca, protocols);

    /// <summary>The protocol of the last handshake this side made.</summary>
    public SslProtocols? Negotiated { get; private set; }

    public override string Protocol => "TLS";

    protected override async ValueTask<Stream> SecureAsync(NetworkStream stream, IPEndPoint remote, bool inbound, CancellationToken ct)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            if (inbound)
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate, EnabledSslProtocols = _protocols,
                }, ct);
            else
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "sip.test", EnabledSslProtocols = _protocols,
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => Trusted(certificate as X509Certificate2),
                }, ct);
            Negotiated = tls.SslProtocol;
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private bool Trusted(X509Certificate2? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
