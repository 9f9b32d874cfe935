using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Certificates;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Web;

/// <summary>
/// The certificate the HTTPS pages present: the server certificate certificates.serverCertificate
/// selects, or else a self-signed one made at the first start and kept in the local store (its key
/// never leaves the box). Chosen on every handshake, so installing and selecting a certificate
/// takes effect without a restart; the built context is kept while the selection stays the same.
/// </summary>
internal sealed class WebCertificate(ConfigStore config, InstalledCertificates installed, NodeLogs logs)
{
    public const string LocalKey = "web-certificate";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(825);
    private readonly Lock _gate = new();
    private (string? Name, SslStreamCertificateContext Context)? _current;

    public SslStreamCertificateContext Current()
    {
        var name = Config.RuleContext.Text(config.Read("certificates"), "serverCertificate");
        lock (_gate)
        {
            if (_current is { } kept && kept.Name == name) return kept.Context;
            SslStreamCertificateContext context;
            try
            {
                context = name is null ? SelfSigned() : installed.ServerCertificate(name);
            }
            catch (InvalidOperationException e)
            {
                // A selected certificate that cannot be used must not take the pages down with it.
                logs.Event($"HTTPS: certificates.serverCertificate '{name}' cannot be used ({e.Message}); serving the self-signed certificate", "warning");
                context = SelfSigned();
            }
            _current = (name, context);
            return context;
        }
    }

    private SslStreamCertificateContext SelfSigned()
    {
        var pfx = config.Store.GetLocal(LocalKey);
        if (pfx is null)
        {
            pfx = Convert.ToBase64String(Create(config.HostName, config.LanAddress));
            config.Store.SetLocal(LocalKey, pfx);
            logs.Event("HTTPS: made a self-signed server certificate for the web pages (install one and select it with certificates.serverCertificate)");
        }
        var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(pfx), null);
        return SslStreamCertificateContext.Create(certificate, null, offline: true);
    }

    /// <summary>ECDSA P-256, for the host name and the management address, as PFX bytes with the key.</summary>
    internal static byte[] Create(string host, string? address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("appliance");
        subject.AddCommonName(host);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        if (address is not null && IPAddress.TryParse(address, out var ip)) names.AddIpAddress(ip);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var made = request.CreateSelfSigned(now.AddDays(-1), now.Add(Lifetime));
        return made.Export(X509ContentType.Pkcs12);
    }
}
