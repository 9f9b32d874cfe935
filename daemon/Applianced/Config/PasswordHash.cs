using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Config;

/// <summary>
/// Salted slow hashes for stored passwords: "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64 salt/hash).
/// The iteration count is stored so it can be raised later without breaking old hashes.
/// </summary>
public static class PasswordHash
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>OWASP's 2021 figure for PBKDF2-HMAC-SHA256; about 0.2 s on one of our cores.</summary>
    public const int DefaultIterations = 310_000;

    /// <summary>Hashes below this are refused when validating a stored value.</summary>
    public const int MinIterations = 100_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password) => Hash(password, DefaultIterations);

    internal static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations,
            HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when the password matches; false for a wrong password or a malformed/empty hash.</summary>
    public static bool Verify(string? stored, string password)
    {
        if (!TryDecode(stored, out var iterations, out var salt, out var expected))
            return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations,
            HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public static bool IsWellFormed(string? stored) => TryDecode(stored, out _, out _, out _);

    private static bool TryDecode(string? stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = stored?.Split('$');
        if (parts is not { Length: 4 } || parts[0] != Scheme)
            return false;
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations < MinIterations || iterations > 100_000_000)
            return false;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            hash = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length >= 8 && hash.Length >= 16;
    }
}
