namespace Appliance.Daemon.Config;

/// <summary>
/// Stored passwords (admin.password, root.password): crypt(3) hashes (<see cref="CryptHash"/>), so
/// the same value is what the daemon verifies and what the OS account gets through `chpasswd -e`.
/// Values of older releases (<see cref="LegacyPbkdf2"/>) still verify but cannot be applied to the OS.
/// </summary>
public static partial class PasswordHash
{
    public const string SetAgain = "it is stored in the old pbkdf2 form, which the OS cannot use; set it again";

    public static string Hash(string password) => CryptHash.Hash(password);

    /// <summary>True when the password matches; false for a wrong password or a malformed/empty hash.</summary>
    public static bool Verify(string? stored, string password) =>
        Malformed(stored) is null
        && (IsLegacy(stored!) ? LegacyPbkdf2.Verify(stored!, password) : CryptHash.Verify(stored!, password));

    /// <summary>Null for a hash that may be stored (crypt(3) or a legacy pbkdf2 one); else why not.</summary>
    public static string? Malformed(string? stored)
    {
        if (string.IsNullOrEmpty(stored)) return "is empty";
        if (IsLegacy(stored)) return LegacyPbkdf2.IsWellFormed(stored) ? null : $"is not a well-formed {LegacyPbkdf2.Scheme} hash";
        return CryptHash.Malformed(stored);
    }

    public static bool IsWellFormed(string? stored) => Malformed(stored) is null;

    /// <summary>Whether `chpasswd -e` can put it in /etc/shadow (a well-formed crypt(3) hash).</summary>
    public static bool IsApplicable(string? stored) => stored is not null && !IsLegacy(stored) && CryptHash.Malformed(stored) is null;

    public static bool IsLegacy(string stored) => stored.StartsWith(LegacyPbkdf2.Scheme + "$", StringComparison.Ordinal);
}
