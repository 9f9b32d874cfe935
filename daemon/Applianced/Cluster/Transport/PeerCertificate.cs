using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// This peer's TLS identity: a self-signed ECDSA P-256 certificate with the peer id as common
/// name. It is not trusted through a CA; the key proof authenticates the session and the
/// certificate hash identifies the peer. The PFX holds the private key, so the caller keeps
/// <see cref="Export"/> in the local (never replicated) part of the store.
/// </summary>
public sealed class PeerCertificate : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(365 * 30);

    private PeerCertificate(X509Certificate2 certificate)
    {
        Certificate = certificate;
        PeerId = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        Hash = CertificateHash.Of(certificate);
    }

    public X509Certificate2 Certificate { get; }

    public string PeerId { get; }

    /// <summary>SHA-256 of the DER certificate: what the other peers see as RemoteCertificateHash.</summary>
    public byte[] Hash { get; }

    public string HashHex => CertificateHash.ToHex(Hash);

    public static PeerCertificate Create(string peerId) => Create(peerId, DateTimeOffset.UtcNow);

    internal static PeerCertificate Create(string peerId, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(peerId))
            throw new ArgumentException("the peer id is empty", nameof(peerId));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("appliance-cluster");
        subject.AddCommonName(peerId);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server + client auth
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        using var ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.Add(Lifetime));
        // The key of a CreateSelfSigned certificate is ephemeral; a round trip through PFX gives a
        // certificate whose key SslStream can use on the server side on every platform.
        return Load(ephemeral.Export(X509ContentType.Pkcs12));
    }

    /// <summary>PFX bytes (no password) including the private key.</summary>
    public byte[] Export() => Certificate.Export(X509ContentType.Pkcs12);

    public static PeerCertificate Load(byte[] pfx)
    {
        ArgumentNullException.ThrowIfNull(pfx);
        if (pfx.Length == 0)
            throw new ArgumentException("the peer certificate PFX is empty", nameof(pfx));
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(pfx, password: null, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"the peer certificate PFX cannot be read: {e.Message}", nameof(pfx), e);
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException("the peer certificate PFX holds no private key", nameof(pfx));
        }
        return new PeerCertificate(certificate);
    }

    public void Dispose() => Certificate.Dispose();
}
