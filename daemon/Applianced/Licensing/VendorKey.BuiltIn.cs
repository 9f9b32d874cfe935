using System.Security.Cryptography;

namespace Appliance.Daemon.Licensing;

/// <summary>The public key this build trusts, embedded by the build (VendorKey.targets, -p:VendorKeyFile).</summary>
public static partial class VendorKey
{
    /// <summary>
    /// Fingerprint of the TEST key: the public half of tools/keytool/test-vendor-private.pem, whose
    /// private half is in the repository. Only its hash is here, to recognise a build that trusts it.
    /// </summary>
    public const string TestKeyFingerprint = "62dbeeca24c936dc7c86b3b708f78b471e6b59dda12ecdc69c4ad937129e1ad0";

    /// <summary>What status and licence show say about a build that trusts the TEST key.</summary>
    public const string TestKeyDescription = "TEST (anyone holding the repository can sign; not for production)";

    private const string ResourceName = "Appliance.Daemon.Licensing.vendor-key.pem";

    private static readonly Lazy<(string Pem, string Fingerprint)> Embedded = new(ReadEmbedded);

    /// <summary>The embedded public key in PEM.</summary>
    public static string BuiltInPublicKeyPem => Embedded.Value.Pem;

    /// <summary>The embedded key's <see cref="Fingerprint"/>.</summary>
    public static string BuiltInFingerprint => Embedded.Value.Fingerprint;

    /// <summary>Whether this build trusts the TEST key, so that anything it verifies proves nothing.</summary>
    public static bool BuiltInIsTestKey => BuiltInFingerprint == TestKeyFingerprint;

    /// <summary>One line for status, licence show, the event log and <c>applianced --show-vendor-key</c>.</summary>
    public static string Describe() => BuiltInIsTestKey ? TestKeyDescription : $"production, SHA-256 {BuiltInFingerprint}";

    /// <summary>A new ECDsa holding the built-in public key (the caller disposes it).</summary>
    public static ECDsa LoadBuiltIn() => ImportPem(BuiltInPublicKeyPem, "the built-in vendor key");

    private static (string, string) ReadEmbedded()
    {
        using var stream = typeof(VendorKey).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"this build has no embedded vendor key ({ResourceName}); see VendorKey.targets");
        using var reader = new StreamReader(stream);
        var pem = reader.ReadToEnd();
        // The build checked the file; a private key is refused here too, so that it is never used as a trust root.
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
            throw new InvalidOperationException("the embedded vendor key is a private key; this build is unusable");
        using var key = ImportPem(pem, "the built-in vendor key");
        return (pem, Fingerprint(key));
    }
}
