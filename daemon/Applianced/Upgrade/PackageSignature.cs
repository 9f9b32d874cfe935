using System.Security.Cryptography;

namespace Appliance.Daemon.Upgrade;

/// <summary>
/// Detached signature of an upgrade package, stored as <c>FILE.sig</c>: one text line
/// <c>ECDSA-P256-SHA256 &lt;base64 of the 64-byte IEEE P1363 signature&gt;</c>, the signature being
/// ECDSA P-256 over the SHA-256 of the whole package file.
/// </summary>
public static class PackageSignature
{
    public const string Suffix = ".sig";
    public const string Algorithm = "ECDSA-P256-SHA256";

    /// <summary>Signs <paramref name="packagePath"/> and writes the signature (default <c>packagePath.sig</c>); returns its path.</summary>
    public static string SignFile(string packagePath, ECDsa vendorPrivateKey, string? signaturePath = null)
    {
        byte[] signature;
        using (var package = File.OpenRead(packagePath))
            signature = vendorPrivateKey.SignData(package, HashAlgorithmName.SHA256);
        signaturePath ??= packagePath + Suffix;
        File.WriteAllText(signaturePath, $"{Algorithm} {Convert.ToBase64String(signature)}\n");
        return signaturePath;
    }

    /// <summary>The longest signature line accepted (the real one is about 110 characters).</summary>
    public const int MaxSignatureChars = 1024;

    /// <summary>
    /// Refuses unless <paramref name="signature"/> (the text of a <c>.sig</c> file) is a valid vendor
    /// signature of the bytes of <paramref name="package"/>, read from its current position to the end.
    /// </summary>
    /// <exception cref="UpgradeException">BadSignature, saying what was wrong.</exception>
    public static void Verify(Stream package, string signature, ECDsa vendorPublicKey)
    {
        if (signature.Length > MaxSignatureChars)
            throw Bad($"the signature is {signature.Length} characters; a signature line is at most {MaxSignatureChars}");
        var parts = signature.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] != Algorithm)
            throw Bad($"the signature is not one line \"{Algorithm} <base64>\"");
        var bytes = new byte[64];
        if (!Convert.TryFromBase64String(parts[1], bytes, out var n) || n != 64)
            throw Bad("the signature is not 64 bytes of base64");
        if (!vendorPublicKey.VerifyData(package, bytes, HashAlgorithmName.SHA256))
            throw Bad("bad signature: the package does not match its signature under the vendor key (altered package or not signed by the vendor)");
    }

    private static UpgradeException Bad(string message) => new(UpgradeError.BadSignature, message);
}
