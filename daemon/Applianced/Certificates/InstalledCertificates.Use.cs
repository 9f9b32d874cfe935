using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Certificates;

public sealed partial class InstalledCertificates
{
    /// <summary>certificates.list: one row per certificate (a bundle has several), with what selects it.</summary>
    public JsonArray List()
    {
        var selected = config.Read("certificates");
        var rows = new JsonArray();
        foreach (var (name, stored) in Records(Store.PeerId).OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var usedAs = new[] { "trustedCa", "serverCertificate" }.Where(f => RuleContext.Text(selected, f) == name).ToList();
            PemBundle bundle;
            try
            {
                bundle = ParseStored(name, stored);
            }
            catch (InvalidOperationException e)
            {
                // Shown, so that it can be seen and removed, rather than hiding every other row.
                rows.Add(new JsonObject { ["name"] = name, ["kind"] = stored.Kind, ["subject"] = e.Message, ["usedAs"] = string.Join(",", usedAs) });
                continue;
            }
            using var _ = bundle;
            for (var i = 0; i < bundle.Certificates.Count; i++)
            {
                var c = bundle.Certificates[i];
                rows.Add(new JsonObject
                {
                    ["name"] = name,
                    ["kind"] = stored.Kind,
                    ["index"] = i + 1,
                    ["subject"] = TextRules.Escape(c.Subject),
                    ["issuer"] = TextRules.Escape(c.Issuer),
                    ["notAfter"] = Api.ApiTime.Text(c.NotAfter.ToUniversalTime()),
                    ["sha256"] = Convert.ToHexString(c.GetCertHash(HashAlgorithmName.SHA256)),
                    ["usedAs"] = usedAs.Count == 0 ? "-" : string.Join(",", usedAs.Select(f => "certificates." + f)),
                });
            }
        }
        return rows;
    }

    /// <summary>The roots a TLS client trusts when certificates.trustedCa names <paramref name="name"/> (and nothing else).</summary>
    public X509Certificate2Collection TrustedRoots(string name)
    {
        var stored = Find(name, Ca);
        using var bundle = ParseStored(name, stored);
        return new X509Certificate2Collection(bundle.Certificates.Select(c => X509CertificateLoader.LoadCertificate(c.RawData)).ToArray());
    }

    /// <summary>
    /// The server certificate certificates.serverCertificate selects, with its private key, and its
    /// chain, ready for SslServerAuthenticationOptions.ServerCertificateContext; null while none is
    /// selected. The HTTPS service (issue 22) calls this from its certificate selector on each
    /// handshake, so a newly selected certificate is served without a restart.
    /// </summary>
    public SslStreamCertificateContext? ConfiguredServerCertificate() =>
        RuleContext.Text(config.Read("certificates"), "serverCertificate") is { } name ? ServerCertificate(name) : null;

    /// <summary>An installed server certificate with its key and chain; throws when it or its key is missing.</summary>
    public SslStreamCertificateContext ServerCertificate(string name)
    {
        var stored = Find(name, Server);
        var keyPem = Store.GetLocal(KeyPrefix + name)
            ?? throw new InvalidOperationException($"the private key of server certificate '{name}' is missing on this peer; install it again");
        using var bundle = ParseStored(name, stored);
        using var key = PrivateKeys.FromPem(keyPem);
        using var withKey = key switch
        {
            RSA rsa => bundle.Certificates[0].CopyWithPrivateKey(rsa),
            ECDsa ec => bundle.Certificates[0].CopyWithPrivateKey(ec),
            _ => throw new InvalidOperationException($"the private key of '{name}' is neither RSA nor EC"),
        };
        // Through PKCS#12 the key becomes one OpenSSL can use for a TLS server, independent of the ephemeral import.
        var leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var chain = new X509Certificate2Collection(bundle.Certificates.Skip(1).Select(c => X509CertificateLoader.LoadCertificate(c.RawData)).ToArray());
        return SslStreamCertificateContext.Create(leaf, chain, offline: true);
    }

    private Stored Find(string name, string kind)
    {
        var record = Store.Get(config.OwnScope, Section, name);
        var stored = Parse(record?.Value)
            ?? throw new InvalidOperationException($"no certificate named '{TextRules.Escape(name)}' is installed on this peer");
        return stored.Kind == kind ? stored
            : throw new InvalidOperationException($"'{TextRules.Escape(name)}' is installed as a {stored.Kind} certificate, not as a {kind}");
    }

    /// <summary>A stored bundle as certificates again; one that no longer parses (a damaged restore) is named, not used.</summary>
    private static PemBundle ParseStored(string name, Stored stored)
    {
        try
        {
            var bundle = PemBundle.Parse(stored.Pem);
            if (bundle.Certificates.Count > 0 && bundle.Keys.Count == 0) return bundle;
            bundle.Dispose();
        }
        catch (Api.ApiException)
        {
        }
        throw new InvalidOperationException($"the stored certificate '{TextRules.Escape(name)}' is damaged (no longer PEM certificates); remove it and install it again");
    }
}
