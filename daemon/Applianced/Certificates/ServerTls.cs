using System.Net.Security;
using System.Security.Authentication;

namespace Appliance.Daemon.Certificates;

/// <summary>
/// The TLS a peer serves to the outside (the HTTPS pages, SIP over TLS): one policy, so a client
/// that reaches one of them meets the same protocols and suites on the other.
/// </summary>
public static class ServerTls
{
    /// <summary>TLS 1.2 or 1.3, no renegotiation, <see cref="Suites"/> only, presenting <paramref name="certificate"/>.</summary>
    public static SslServerAuthenticationOptions Options(SslStreamCertificateContext certificate, SslApplicationProtocol? protocol = null) => new()
    {
        ServerCertificateContext = certificate,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        AllowRenegotiation = false,
        CipherSuitesPolicy = Suites,
        ApplicationProtocols = protocol is { } p ? [p] : null,
    };

    /// <summary>TLS 1.3's suites, and for 1.2 only forward-secret AEAD ones (no CBC, no RSA key exchange).</summary>
    private static readonly CipherSuitesPolicy Suites = new(
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);
}
