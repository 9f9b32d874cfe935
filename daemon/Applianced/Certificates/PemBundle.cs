using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Certificates;

/// <summary>
/// The blocks of an uploaded PEM text: certificates in their order, and private keys. Errors name a
/// block by its place ("certificate 2", "block 3") and never repeat what it holds: the text may be
/// a private key.
/// </summary>
internal sealed class PemBundle : IDisposable
{
    private const string CertificateLabel = "CERTIFICATE";

    /// <summary>Labels of unencrypted private keys: PKCS#8, and OpenSSL's traditional RSA and EC forms.</summary>
    private static readonly string[] KeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

    public List<X509Certificate2> Certificates { get; } = [];

    /// <summary>The private keys' labels and DER bytes (zeroed on dispose).</summary>
    public List<(string Label, byte[] Der)> Keys { get; } = [];

    public static PemBundle Parse(string text)
    {
        var bundle = new PemBundle();
        try
        {
            var rest = text.AsSpan();
            var block = 0;
            while (PemEncoding.TryFind(rest, out var fields))
            {
                block++;
                var label = rest[fields.Label].ToString();
                var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                if (label == CertificateLabel)
                    bundle.Certificates.Add(Load(der, bundle.Certificates.Count + 1));
                else if (KeyLabels.Contains(label))
                    bundle.Keys.Add((label, der));
                else if (label == "ENCRYPTED PRIVATE KEY")
                    throw Refused($"block {block} is an encrypted private key; give it unencrypted (openssl pkey -in KEY -out PLAIN.pem), it is stored encrypted with the store");
                else
                    throw Refused($"block {block} is a PEM '{TextRules.Escape(label)}', neither a CERTIFICATE nor an unencrypted PRIVATE KEY");
                rest = rest[fields.Location.End..];
            }
            if (block == 0)
                throw Refused("the text holds no PEM block (-----BEGIN CERTIFICATE-----)");
            return bundle;
        }
        catch
        {
            bundle.Dispose();
            throw;
        }
    }

    private static X509Certificate2 Load(byte[] der, int index)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException)
        {
            throw Refused($"certificate {index} is not a valid X.509 certificate");
        }
    }

    public static ApiException Refused(string message) => new(ApiException.Validation, message + "; nothing was stored");

    public void Dispose()
    {
        foreach (var c in Certificates) c.Dispose();
        foreach (var (_, der) in Keys) CryptographicOperations.ZeroMemory(der);
    }
}
