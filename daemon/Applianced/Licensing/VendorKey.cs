using System.Security.Cryptography;

namespace Appliance.Daemon.Licensing;

/// <summary>
/// The vendor's ECDSA P-256 public key, which signs licence keys and upgrade packages.
/// </summary>
public static class VendorKey
{
    /// <summary>
    /// FOR NOW THIS IS THE TEST KEY: the public half of tools/keytool/test-vendor-private.pem, whose
    /// private half is checked in so tests and developers can sign. A production build replaces
    /// this constant with the real vendor public key (the private half never enters the repository);
    /// until then anything signed here proves nothing.
    /// </summary>
    public const string BuiltInPublicKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEjwtxUOCbAyNzylycJWop05M2H9hQ
        LJnevDBBSXKCcKq1bZoGcTpojWZ4apWTGtJBNoXA7GBKk/HUdw+LraJ34g==
        -----END PUBLIC KEY-----
        """;

    /// <summary>A new ECDsa holding the built-in public key (the caller disposes it).</summary>
    public static ECDsa LoadBuiltIn() => ImportPem(BuiltInPublicKeyPem, "the built-in vendor key");

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
}
