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

    /// <summary>Refuses unless <paramref name="signaturePath"/> is a valid vendor signature of <paramref name="packagePath"/>.</summary>
    /// <exception cref="UpgradeException">BadSignature, naming the file and what was wrong.</exception>
    public static void Verify(string packagePath, string signaturePath, ECDsa vendorPublicKey)
    {
        if (!File.Exists(signaturePath))
            throw Bad($"signature file {signaturePath} does not exist");
        var text = File.ReadAllText(signaturePath).Trim();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0] != Algorithm)
            throw Bad($"signature file {signaturePath} is not one line \"{Algorithm} <base64>\"");
        var signature = new byte[64];
        if (!Convert.TryFromBase64String(parts[1], signature, out var n) || n != 64)
            throw Bad($"signature file {signaturePath}: the signature is not 64 bytes of base64");
        bool ok;
        using (var package = File.OpenRead(packagePath))
            ok = vendorPublicKey.VerifyData(package, signature, HashAlgorithmName.SHA256);
        if (!ok)
            throw Bad($"bad signature: {signaturePath} does not match {packagePath} under the vendor key (altered package or not signed by the vendor)");
    }

    private static UpgradeException Bad(string message) => new(UpgradeError.BadSignature, message);
}
