using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Config;

/// <summary>
/// crypt(3) hashes through libxcrypt (libcrypt.so.1, in every Debian since bullseye), the form
/// /etc/shadow holds and `chpasswd -e` takes: new hashes are yescrypt ("$y$", Debian's default for
/// passwd); SHA-512-crypt ("$6$") is still verified and accepted. The same library that writes
/// them for the OS checks them here, so a hash the daemon accepts is one PAM can verify.
/// </summary>
public static partial class CryptHash
{
    public const string Yescrypt = "$y$";
    public const string Sha512Crypt = "$6$";

    /// <summary>libxcrypt's CRYPT_MAX_PASSPHRASE_SIZE less the terminating NUL.</summary>
    public const int MaxPasswordBytes = 511;

    /// <summary>Longer than any hash of the two schemes (a yescrypt hash is about 73 characters).</summary>
    public const int MaxLength = 160;

    private const string Library = "libcrypt.so.1";
    private const int GensaltOutputSize = 192;   // CRYPT_GENSALT_OUTPUT_SIZE
    private const int CryptDataSize = 32768;     // sizeof(struct crypt_data)

    public static string Hash(string password)
    {
        var setting = new byte[GensaltOutputSize];
        // count 0: the library's default cost; rbytes null: it reads the OS random source itself.
        if (crypt_gensalt_rn(Yescrypt, 0, IntPtr.Zero, 0, setting, setting.Length) == IntPtr.Zero)
            throw new CryptographicException($"libcrypt cannot make a yescrypt salt (errno {Marshal.GetLastPInvokeError()})");
        return Run(password, CString(setting)) ?? throw new CryptographicException("libcrypt refused to hash the password");
    }

    public static bool Verify(string stored, string password) =>
        Run(password, stored) is { } actual
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(stored));

    /// <summary>Null when the stored value is a hash of an accepted scheme that libcrypt reads back unchanged; else why not.</summary>
    public static string? Malformed(string stored)
    {
        if (!stored.StartsWith(Yescrypt, StringComparison.Ordinal) && !stored.StartsWith(Sha512Crypt, StringComparison.Ordinal))
            return $"is not a crypt(3) hash of an accepted scheme (yescrypt {Yescrypt}, SHA-512 {Sha512Crypt})";
        if (stored.Length > MaxLength || !stored.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or '$' or '='))
            return "is not a crypt(3) hash (wrong length or characters)";
        // Hashing any password with the stored value as setting must give a hash of the same shape:
        // same parameters and salt, same length. A truncated or altered hash fails this.
        var probe = Run("", stored);
        var setting = stored[..(stored.LastIndexOf('$') + 1)];
        return probe is not null && probe.Length == stored.Length && probe.StartsWith(setting, StringComparison.Ordinal)
            ? null : "is not a crypt(3) hash libcrypt can verify (damaged parameters, salt or length)";
    }

    private static string? Run(string password, string setting)
    {
        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes || password.Contains('\0')) return null;
        var phrase = new byte[Encoding.UTF8.GetByteCount(password) + 1]; // NUL-terminated
        Encoding.UTF8.GetBytes(password, phrase);
        var data = new byte[CryptDataSize];
        try
        {
            return crypt_rn(phrase, setting, data, data.Length) == IntPtr.Zero ? null : CString(data);
        }
        finally
        {
            // Our copy of the passphrase, and struct crypt_data's (its input buffer), are wiped.
            CryptographicOperations.ZeroMemory(phrase);
            CryptographicOperations.ZeroMemory(data);
        }
    }

    private static string CString(byte[] buffer) => Encoding.ASCII.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0) is var end and >= 0 ? end : buffer.Length);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr crypt_gensalt_rn(string prefix, nuint count, IntPtr rbytes, int nrbytes, byte[] output, int outputSize);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr crypt_rn(byte[] phrase, string setting, byte[] data, int size);
}
