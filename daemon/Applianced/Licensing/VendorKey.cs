using System.Security.Cryptography;

namespace Appliance.Daemon.Licensing;

/// <summary>
/// The vendor's ECDSA P-256 key, which signs licence keys and upgrade packages. The public key the
/// daemon trusts is chosen when it is built (<c>VendorKey.BuiltIn.cs</c>); these helpers import keys.
/// </summary>
public static partial class VendorKey
{
    /// <summary>Imports a P-256 key (public or private) from PEM; any other key is refused by name.</summary>
    public static ECDsa ImportPem(string pem, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ArgumentException($"{what} is not a PEM ECDSA key: {e.Message}", e);
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException($"{what} is a {key.KeySize}-bit ECDSA key; licence keys and packages use P-256");
        }
        return key;
    }

    /// <summary>Reads a PEM key file (public or private), naming the file in any error.</summary>
    public static ECDsa LoadPemFile(string path) => ImportPem(File.ReadAllText(path), path);

    /// <summary>
    /// SHA-256 of the key's DER SubjectPublicKeyInfo in lower-case hex: what status shows, and what
    /// <c>openssl pkey -pubin -in FILE.pub -outform DER | sha256sum</c> prints for the same key.
    /// </summary>
    public static string Fingerprint(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
}
