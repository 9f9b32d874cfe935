namespace Appliance.Daemon.Backup;

/// <summary>
/// Password encryption of a backup archive (.tar.gz -> .tar.gz.enc): a key from the password
/// (<see cref="BackupKdf"/>: Argon2id, or PBKDF2 in older files), AES-256-GCM in length-prefixed
/// chunks. The layout is in FORMAT.md beside this file. The static helpers are whole-stream
/// operations, handy for tools and benchmarks.
/// </summary>
public static class BackupCipher
{
    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>True when the first bytes of a file are the encrypted-backup magic "APBK".</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) =>
        start.Length >= 4 && start[..4].SequenceEqual(CipherHeader.Magic);

    /// <summary>Encrypts all of <paramref name="plaintext"/> into <paramref name="output"/> (key from <see cref="BackupKdf.Default"/> unless given).</summary>
    public static async Task EncryptAsync(Stream plaintext, Stream output, string password,
        BackupKdf? kdf = null, int chunkSize = DefaultChunkSize, CancellationToken ct = default)
    {
        await using var enc = await EncryptingStream.CreateAsync(output, password, kdf ?? BackupKdf.Default, chunkSize, leaveOpen: true)
            .ConfigureAwait(false);
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
