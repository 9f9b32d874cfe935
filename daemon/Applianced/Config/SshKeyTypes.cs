namespace Appliance.Daemon.Config;

/// <summary>The public key types an administrator's key may have (OpenSSH's names), and their curves.</summary>
public static class SshKeyTypes
{
    public const string Ed25519 = "ssh-ed25519";
    public const string SkEd25519 = "sk-ssh-ed25519@openssh.com";
    public const string RsaType = "ssh-rsa";
    public const string SkEcdsa256 = "sk-ecdsa-sha2-nistp256@openssh.com";

    /// <summary>A NIST curve: its name inside the blob, its size, and its uncompressed point length.</summary>
    public sealed record Curve(string Name, int Bits, int PointBytes);

    private static readonly Dictionary<string, Curve> Curves = new(StringComparer.Ordinal)
    {
        ["ecdsa-sha2-nistp256"] = new("nistp256", 256, 65),
        ["ecdsa-sha2-nistp384"] = new("nistp384", 384, 97),
        ["ecdsa-sha2-nistp521"] = new("nistp521", 521, 133),
        [SkEcdsa256] = new("nistp256", 256, 65),
    };

    /// <summary>DSA and RSA under 2048 bits are left out: OpenSSH itself no longer accepts them.</summary>
    public static IReadOnlyList<string> Accepted { get; } = [Ed25519, .. Curves.Keys.Where(k => !k.StartsWith("sk-", StringComparison.Ordinal)), RsaType, SkEd25519, SkEcdsa256];

    public static bool IsKnown(string type) => Accepted.Contains(type, StringComparer.Ordinal);

    public static Curve CurveOf(string type) => Curves[type];

    /// <summary>The short name `ssh-keygen -l` shows in parentheses (ED25519, ECDSA, RSA, ED25519-SK, ECDSA-SK).</summary>
    public static string ShortName(string type) => type switch
    {
        Ed25519 => "ED25519",
        SkEd25519 => "ED25519-SK",
        RsaType => "RSA",
        SkEcdsa256 => "ECDSA-SK",
        _ => "ECDSA",
    };
}
