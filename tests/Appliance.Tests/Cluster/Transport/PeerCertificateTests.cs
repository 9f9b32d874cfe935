using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Tests.Cluster.Transport;

public class PeerCertificateTests
{
    [Fact]
    public void Create_IsSelfSignedP256_WithPeerIdInSubject()
    {
        using var certificate = PeerCertificate.Create("peer-1234");
        Assert.Equal("peer-1234", certificate.PeerId);
        Assert.Contains("CN=peer-1234", certificate.Certificate.Subject);
        Assert.Equal(certificate.Certificate.Subject, certificate.Certificate.Issuer);
        using var key = certificate.Certificate.GetECDsaPrivateKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.Equal(64, certificate.HashHex.Length);
    }

    [Fact]
    public void ExportThenLoad_KeepsIdentityAndPrivateKey()
    {
        using var original = PeerCertificate.Create("peer-x");
        using var loaded = PeerCertificate.Load(original.Export());
        Assert.Equal(original.Hash, loaded.Hash);
        Assert.Equal("peer-x", loaded.PeerId);
        Assert.True(loaded.Certificate.HasPrivateKey);

        // The loaded key signs, and the original public key verifies: it is the same key pair.
        using var privateKey = loaded.Certificate.GetECDsaPrivateKey()!;
        using var publicKey = original.Certificate.GetECDsaPublicKey()!;
        var signature = privateKey.SignData("x"u8, HashAlgorithmName.SHA256);
        Assert.True(publicKey.VerifyData("x"u8, signature, HashAlgorithmName.SHA256));
    }

    [Fact]
    public void BadInput_SaysWhat()
    {
        Assert.Contains("peer id is empty", Assert.Throws<ArgumentException>(() => PeerCertificate.Create(" ")).Message);
        Assert.Contains("PFX is empty", Assert.Throws<ArgumentException>(() => PeerCertificate.Load([])).Message);
        Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => PeerCertificate.Load([1, 2, 3])).Message);
    }
}
