using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Config;

public static partial class PasswordHash
{
    /// <summary>
    /// The form of releases before crypt(3): "pbkdf2-sha256$ITERATIONS$SALT$HASH" (base64 salt/hash).
    /// Still verified, so a stored admin password keeps working for the API, but nothing else
    /// (chpasswd, PAM) can read it: <see cref="IsApplicable"/> is false until it is set again.
    /// </summary>
    internal static class LegacyPbkdf2
    {
        public const string Scheme = "pbkdf2-sha256";

        /// <summary>Hashes below this are refused when validating a stored value.</summary>
        public const int MinIterations = 100_000;

        /// <summary>Only tests make these now, to stand for a value stored by an older release.</summary>
        public static string Hash(string password, int iterations)
        {
            var salt = RandomNumberGenerator.GetBytes(16);
            var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
            return $"{Scheme}${iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
        }

        public static bool Verify(string stored, string password)
        {
            if (!TryDecode(stored, out var iterations, out var salt, out var expected))
                return false;
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations,
                HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }

        public static bool IsWellFormed(string stored) => TryDecode(stored, out _, out _, out _);

        private static bool TryDecode(string stored, out int iterations, out byte[] salt, out byte[] hash)
        {
            iterations = 0;
            salt = hash = [];
            var parts = stored.Split('$');
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
}
