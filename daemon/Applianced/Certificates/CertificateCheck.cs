using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Certificates;

/// <summary>
/// The rules an uploaded bundle must pass before it is stored (<see cref="InstalledCertificates"/>):
/// every certificate in date and with a key TLS still accepts; a CA bundle holds CA certificates only;
/// a server certificate comes with the private key of its public key and may serve TLS. A refusal
/// names the certificate by its place and subject; a warning is returned, not thrown.
/// </summary>
internal static class CertificateCheck
{
    /// <summary>A certificate expiring sooner is accepted with a warning.</summary>
    public static readonly TimeSpan ExpirySoon = TimeSpan.FromDays(30);

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string AnyExtendedUsage = "2.5.29.37.0";

    /// <summary>A bundle of one or more CA certificates, trusted as roots of a TLS client's chain.</summary>
    public static List<string> Ca(PemBundle bundle, DateTimeOffset now)
    {
        if (bundle.Keys.Count > 0)
            throw PemBundle.Refused("a CA bundle holds certificates only, and this text holds a private key (use 'certificates add-server' for a certificate with its key)");
        if (bundle.Certificates.Count == 0)
            throw PemBundle.Refused("the text holds no certificate");
        var warnings = new List<string>();
        for (var i = 0; i < bundle.Certificates.Count; i++)
        {
            var c = bundle.Certificates[i];
            Common(c, i + 1, now, warnings);
            var constraints = c.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
            var selfSigned = c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);
            if (constraints is not { CertificateAuthority: true })
            {
                if (!selfSigned)
                    throw PemBundle.Refused($"{Name(c, i + 1)} is not a CA certificate (no basicConstraints CA:TRUE) and not self-signed; a CA bundle holds the certificates of the authorities that sign servers, not a server's own");
                warnings.Add($"{Name(c, i + 1)} is not a CA certificate (no basicConstraints CA:TRUE): only a server presenting exactly this self-signed certificate will be trusted");
            }
            else if (c.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
                && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign))
            {
                throw PemBundle.Refused($"{Name(c, i + 1)} is a CA whose key usage does not allow signing certificates (keyCertSign)");
            }
        }
        return warnings;
    }

    /// <summary>A server certificate (first), its chain, and exactly one private key matching the first certificate.</summary>
    public static (AsymmetricAlgorithm Key, List<string> Warnings) Server(PemBundle bundle, DateTimeOffset now)
    {
        if (bundle.Certificates.Count == 0)
            throw PemBundle.Refused("the text holds no certificate; give the server certificate first, then its chain, and its private key");
        if (bundle.Keys.Count != 1)
            throw PemBundle.Refused(bundle.Keys.Count == 0
                ? "the text holds no private key; a server certificate is installed with its unencrypted private key (PEM 'PRIVATE KEY')"
                : $"the text holds {bundle.Keys.Count} private keys; give exactly one, the server certificate's");
        var warnings = new List<string>();
        for (var i = 0; i < bundle.Certificates.Count; i++)
            Common(bundle.Certificates[i], i + 1, now, warnings);
        var leaf = bundle.Certificates[0];
        var key = PrivateKeys.Read(bundle.Keys[0].Label, bundle.Keys[0].Der);
        try
        {
            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(leaf.PublicKey.ExportSubjectPublicKeyInfo()))
                throw PemBundle.Refused($"the private key does not belong to {Name(leaf, 1)} (its public key differs); the first certificate must be the server's own");
            ServerUsage(leaf, warnings);
            return (key, warnings);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static void ServerUsage(X509Certificate2 leaf, List<string> warnings)
    {
        if (leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku
            && !eku.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value is ServerAuth or AnyExtendedUsage))
            throw PemBundle.Refused($"{Name(leaf, 1)} is not for TLS servers: its extended key usage lacks serverAuth");
        if (leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage)
        {
            var needed = leaf.GetRSAPublicKey() is null
                ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement
                : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment;
            if ((usage.KeyUsages & needed) == 0)
                throw PemBundle.Refused($"{Name(leaf, 1)} is not for TLS servers: its key usage allows neither {needed.ToString().Replace(", ", " nor ", StringComparison.Ordinal)}");
        }
        if (!leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Any())
            warnings.Add($"{Name(leaf, 1)} has no subjectAltName; clients check the host name they dialled against it, and most ignore the subject's CN");
    }

    /// <summary>Dates and key strength, the same for every certificate.</summary>
    private static void Common(X509Certificate2 c, int index, DateTimeOffset now, List<string> warnings)
    {
        var notAfter = new DateTimeOffset(c.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (notAfter <= now)
            throw PemBundle.Refused($"{Name(c, index)} expired on {Date(notAfter)}");
        if (notAfter - now < ExpirySoon)
            warnings.Add($"{Name(c, index)} expires on {Date(notAfter)}, in less than {ExpirySoon.Days} days");
        var notBefore = new DateTimeOffset(c.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        if (notBefore > now)
            warnings.Add($"{Name(c, index)} is not valid before {Date(notBefore)} (is this peer's clock right?)");
        if (c.GetRSAPublicKey() is { } rsa)
        {
            using (rsa)
            {
                if (rsa.KeySize < 2048)
                    throw PemBundle.Refused($"{Name(c, index)} has a {rsa.KeySize}-bit RSA key; at least 2048 bits are required");
            }
        }
        else if (c.GetECDsaPublicKey() is { } ec)
        {
            using (ec)
            {
                if (ec.KeySize < 256)
                    throw PemBundle.Refused($"{Name(c, index)} has a {ec.KeySize}-bit EC key; P-256 or larger is required");
            }
        }
        else
        {
            throw PemBundle.Refused($"{Name(c, index)} has a {c.PublicKey.Oid.FriendlyName ?? c.PublicKey.Oid.Value} key; only RSA (2048 bits or more) and EC (P-256 or larger) are accepted");
        }
    }

    /// <summary>"certificate 2 (CN=Lab CA)": the subject escaped, since a crafted certificate may carry any text.</summary>
    public static string Name(X509Certificate2 c, int index) => $"certificate {index} ({TextRules.Escape(c.Subject)})";

    public static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
