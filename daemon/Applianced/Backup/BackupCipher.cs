using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Backup;

/// <summary>
/// Password encryption of a backup archive (.tar.gz -> .tar.gz.enc): PBKDF2-HMAC-SHA256 key,
/// AES-256-GCM in length-prefixed chunks. The layout is in FORMAT.md beside this file.
/// The static helpers are whole-stream operations, handy for tools and benchmarks.
/// </summary>
public static class BackupCipher
{
    /// <summary>PBKDF2 iterations for new files (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).</summary>
    public const int DefaultIterations = 600_000;

    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>True when the first bytes of a file are the encrypted-backup magic "APBK".</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) =>
        start.Length >= 4 && start[..4].SequenceEqual(CipherHeader.Magic);

    /// <summary>The 32-byte AES key for a password and salt.</summary>
    public static byte[] DeriveKey(string password, ReadOnlySpan<byte> salt, int iterations)
    {
        CheckPassword(password);
        var pw = Encoding.UTF8.GetBytes(password);
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(pw, salt, iterations, HashAlgorithmName.SHA256, 32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pw);
        }
    }

    /// <summary>Encrypts all of <paramref name="plaintext"/> into <paramref name="output"/>.</summary>
    public static async Task EncryptAsync(Stream plaintext, Stream output, string password,
        int iterations = DefaultIterations, int chunkSize = DefaultChunkSize, CancellationToken ct = default)
    {
        await using var enc = EncryptingStream.Create(output, password, iterations, chunkSize, leaveOpen: true);
        await plaintext.CopyToAsync(enc, chunkSize, ct).ConfigureAwait(false);
        await enc.CompleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Decrypts and authenticates all of <paramref name="input"/> into <paramref name="plaintext"/>.</summary>
    /// <exception cref="BackupException">wrong password, truncation, corruption.</exception>
    public static async Task DecryptAsync(Stream input, Stream plaintext, string password, CancellationToken ct = default)
    {
        await using var dec = await DecryptingStream.OpenAsync(input, password, leaveOpen: true, ct).ConfigureAwait(false);
        await dec.CopyToAsync(plaintext, ct).ConfigureAwait(false);
    }

    internal static void CheckPassword(string password)
    {
        if (string.IsNullOrEmpty(password))
            throw new BackupException(BackupError.InvalidArgument, "the backup password must not be empty");
    }
}
