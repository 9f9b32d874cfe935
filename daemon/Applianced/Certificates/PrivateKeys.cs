using System.Security.Cryptography;

namespace Appliance.Daemon.Certificates;

/// <summary>Reads an unencrypted RSA or EC private key; an error says which form failed, never what the key holds.</summary>
internal static class PrivateKeys
{
    public static AsymmetricAlgorithm Read(string label, byte[] der)
    {
        try
        {
            return label switch
            {
                "RSA PRIVATE KEY" => Rsa(r => r.ImportRSAPrivateKey(der, out _)),
                "EC PRIVATE KEY" => Ec(e => e.ImportECPrivateKey(der, out _)),
                _ => Pkcs8(der),
            };
        }
        catch (CryptographicException)
        {
            throw PemBundle.Refused($"the {label} cannot be read as an unencrypted RSA or EC key");
        }
    }

    /// <summary>PKCS#8 names its algorithm inside; trying RSA then EC is the documented way to find it.</summary>
    private static AsymmetricAlgorithm Pkcs8(byte[] der)
    {
        try
        {
            return Rsa(r => r.ImportPkcs8PrivateKey(der, out _));
        }
        catch (CryptographicException)
        {
            return Ec(e => e.ImportPkcs8PrivateKey(der, out _));
        }
    }

    private static RSA Rsa(Action<RSA> import)
    {
        var rsa = RSA.Create();
        try { import(rsa); return rsa; }
        catch { rsa.Dispose(); throw; }
    }

    private static ECDsa Ec(Action<ECDsa> import)
    {
        var ec = ECDsa.Create();
        try { import(ec); return ec; }
        catch { ec.Dispose(); throw; }
    }

    /// <summary>A stored key (always PKCS#8 PEM, see <see cref="ToPem"/>).</summary>
    public static AsymmetricAlgorithm FromPem(string pem)
    {
        var fields = PemEncoding.Find(pem);
        var der = Convert.FromBase64String(pem[fields.Base64Data]);
        try { return Pkcs8(der); }
        finally { CryptographicOperations.ZeroMemory(der); }
    }

    /// <summary>The key as PKCS#8 PEM, the one form stored whatever form was uploaded.</summary>
    public static string ToPem(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
        ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
        _ => throw new ArgumentException($"unsupported key type {key.GetType().Name}", nameof(key)),
    };
}
