using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Tests.Support;

/// <summary>
/// Certificates made in the test (never checked in): a CA, servers it signs, and the PEM texts an
/// operator would upload. Every certificate carries its private key.
/// </summary>
internal static class TestPki
{
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>A self-signed CA (basicConstraints CA:TRUE, keyCertSign) with an EC P-256 key.</summary>
    public static X509Certificate2 Ca(string name, DateTimeOffset? notAfter = null, bool isCa = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (isCa) req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        using var cert = req.CreateSelfSigned(Now.AddDays(-2), notAfter ?? Now.AddYears(1));
        return Reload(cert);
    }

    /// <summary>A TLS server certificate for 127.0.0.1 (or <paramref name="address"/>) signed by <paramref name="ca"/>.</summary>
    public static X509Certificate2 Server(X509Certificate2 ca, string name = "syslog.test", DateTimeOffset? notAfter = null,
        string eku = "1.3.6.1.5.5.7.3.1", AsymmetricAlgorithm? key = null, IPAddress? address = null)
    {
        using var own = key is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        var signing = key ?? own!;
        var req = signing is RSA rsa
            ? new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={name}", (ECDsa)signing, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address ?? IPAddress.Loopback);
        san.AddDnsName(name);
        req.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        // The generator form signs with the CA's EC key whatever the server's key type is.
        using var caKey = ca.GetECDsaPrivateKey()!;
        using var signed = req.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), Now.AddDays(-1), notAfter ?? Now.AddDays(90), serial);
        using var withKey = signing switch
        {
            RSA r => signed.CopyWithPrivateKey(r),
            _ => signed.CopyWithPrivateKey((ECDsa)signing),
        };
        return Reload(withKey);
    }

    public static string Pem(params X509Certificate2[] certs) => string.Concat(certs.Select(c => c.ExportCertificatePem() + "\n"));

    /// <summary>The certificate's private key as unencrypted PKCS#8 PEM.</summary>
    public static string KeyPem(X509Certificate2 cert) =>
        (AsymmetricAlgorithm?)cert.GetECDsaPrivateKey() is { } ec ? ((ECDsa)ec).ExportPkcs8PrivateKeyPem() : cert.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();

    /// <summary>Through PKCS#12 so the key is usable by a TLS server on Linux.</summary>
    private static X509Certificate2 Reload(X509Certificate2 cert) =>
        X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.Exportable);
}
