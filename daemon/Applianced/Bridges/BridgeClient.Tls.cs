using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// Whom an HTTPS bridge must be vouched for by: the CA bundle certificates.trustedCa selects
/// (<see cref="TrustedRoots"/>, alone), or the system's CAs when none is selected. <see cref="Source"/>
/// says which, for the reasons a refusal gives.
/// </summary>
public sealed record BridgeTls(X509Certificate2Collection? TrustedRoots, string Source)
{
    public static readonly BridgeTls System = new(null, "the system's CAs");

    /// <summary>A text that changes whenever the trust does (a bundle installed again under the same name too).</summary>
    public string Key => TrustedRoots is null ? "" : Source + ":" + string.Join(",", TrustedRoots.Select(c => c.Thumbprint));
}

public sealed partial class BridgeClient
{
    private string? _refusal;

    /// <summary>
    /// No proxy, no redirects, no cookies: a bridge is addressed directly, and a reply that sends
    /// the call elsewhere is not an answer. Connections are kept for the next probe but renewed every
    /// few minutes so a bridge's new address (DNS) or certificate is taken up. No connect timeout of
    /// its own: the call's one timeout covers connecting too, so a silent bridge always gets one reason.
    /// </summary>
    private SocketsHttpHandler Handler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxResponseHeadersLength = 64,
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors),
        },
    };

    /// <summary>
    /// The server's certificate must name the bridge's address and chain up to the trusted roots. A
    /// refusal is kept (<see cref="TakeRefusal"/>) so the state's reason names the certificate and
    /// why, which the handshake's exception does not.
    /// </summary>
    private bool Validate(X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        var (ok, reason) = Check(Tls, Endpoint.Address, presented, presentedChain, errors);
        return ok || Refuse(reason!);
    }

    /// <summary>
    /// Whether <paramref name="presented"/> may be the bridge at <paramref name="address"/> under
    /// <paramref name="tls"/>, and why not: the check of the bridge's HTTPS API, which leg B over
    /// SIP/TLS makes too (Sip/SipTlsTransport.cs).
    /// </summary>
    public static (bool Ok, string? Reason) Check(BridgeTls tls, string address, X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
    {
        if (presented is null)
            return (false, "the bridge presented no certificate");
        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        var who = $"certificate '{Clip(leaf.Subject)}' (issuer '{Clip(leaf.Issuer)}', SHA-256 {Convert.ToHexString(leaf.GetCertHash(HashAlgorithmName.SHA256))[..16]}...)";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return (false, $"{who} does not name {address}");
        if (tls.TrustedRoots is null)
            return errors == SslPolicyErrors.None ? (true, null) : (false, $"{who} is not trusted by {tls.Source}: {Status(presentedChain)}");
        // Only the selected bundle vouches, with a fresh policy per handshake (a policy keeps chain state).
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(tls.TrustedRoots);
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainElements.Skip(1))
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(leaf) ? (true, null) : (false, $"{who} is not trusted by {tls.Source}: {Status(chain)}");
    }

    private static string Status(X509Chain? chain) =>
        chain is null || chain.ChainStatus.Length == 0 ? "no chain to a trusted root"
            : string.Join("; ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());

    private bool Refuse(string reason)
    {
        _refusal = reason;
        return false;
    }

    /// <summary>The last certificate refusal, once (handshakes run on the pool's connections, not on the caller's task).</summary>
    private string? TakeRefusal() => Interlocked.Exchange(ref _refusal, null);
}
