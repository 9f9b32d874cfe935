using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

/// <summary>
/// Reads a backup written by <see cref="BackupWriter"/>: detects plain or encrypted, checks the
/// manifest, every entry's size and SHA-256, and (encrypted) every chunk, the final one included.
/// Entries are extracted into a directory, or only checked when no directory is given.
/// Every failure is a <see cref="BackupException"/> whose <see cref="BackupException.Error"/> says which.
/// </summary>
public sealed partial class BackupReader
{
    private const int MaxManifestBytes = 1024 * 1024;

    private BackupReader(BackupManifest manifest, bool encrypted, string? directory)
    {
        Manifest = manifest;
        Encrypted = encrypted;
        Directory = directory;
    }

    public BackupManifest Manifest { get; }

    public bool Encrypted { get; }

    /// <summary>Where the entries were extracted; null when opened to check only.</summary>
    public string? Directory { get; }

    /// <summary>Opens, fully checks and (if <paramref name="extractDirectory"/> is given) extracts a backup file.</summary>
    public static async Task<BackupReader> OpenAsync(string path, string? password, string? extractDirectory, CancellationToken ct = default) =>
        await OpenAsync(path, password, extractDirectory, null, ct).ConfigureAwait(false);

    /// <summary>As above, within <paramref name="limits"/> (checked on the manifest, before anything is extracted).</summary>
    public static async Task<BackupReader> OpenAsync(string path, string? password, string? extractDirectory, BackupReadLimits? limits, CancellationToken ct = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        return await OpenAsync(file, password, extractDirectory, limits, ct).ConfigureAwait(false);
    }

    /// <summary>As the path overload, from a readable, seekable stream positioned at the start of the backup.</summary>
    public static async Task<BackupReader> OpenAsync(Stream input, string? password, string? extractDirectory, CancellationToken ct = default) =>
        await OpenAsync(input, password, extractDirectory, null, ct).ConfigureAwait(false);

    /// <summary>As above, within <paramref name="limits"/> (checked on the manifest, before anything is extracted).</summary>
    public static async Task<BackupReader> OpenAsync(Stream input, string? password, string? extractDirectory, BackupReadLimits? limits, CancellationToken ct = default)
    {
        limits ??= BackupReadLimits.None;
        var encrypted = await DetectAsync(input, password, ct).ConfigureAwait(false);
        var created = new List<string>();
        try
        {
            if (extractDirectory is not null)
                System.IO.Directory.CreateDirectory(extractDirectory);
            DecryptingStream? dec = encrypted
                ? await DecryptingStream.OpenAsync(input, password!, leaveOpen: true, ct).ConfigureAwait(false)
                : null;
            BackupManifest manifest;
            await using (dec)
            {
                await using var gz = new GZipStream(dec ?? input, CompressionMode.Decompress, leaveOpen: true);
                manifest = await ReadArchiveAsync(gz, extractDirectory, created, limits, ct).ConfigureAwait(false);
                // The tar end marker can come before the end of the gzip member and of the encrypted
                // stream; only reading to the very end checks the final chunk (truncation).
                await gz.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
                if (dec is not null)
                    await dec.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
            }
            return new BackupReader(manifest, encrypted, extractDirectory);
        }
        catch (EndOfStreamException e)
        {
            Cleanup(created);
            throw new BackupException(BackupError.Truncated, "truncated: the archive ends early", e);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or OverflowException or InvalidOperationException
            or NotSupportedException or ArgumentOutOfRangeException)
        {
            // gzip and tar decoders report damage this way (TarReader also with overflowing number
            // fields, oversized pax headers, entry types it does not take, e.g. sparse files, and
            // times beyond DateTime's range).
            Cleanup(created);
            throw new BackupException(BackupError.Corrupted, $"corrupted archive: {e.Message}", e);
        }
        catch
        {
            Cleanup(created);
            throw;
        }
    }

    /// <summary>Path of an extracted entry.</summary>
    public string EntryPath(string name)
    {
        if (Directory is null)
            throw new InvalidOperationException("the backup was opened to check only; give an extract directory to read entries");
        if (!Manifest.Entries.Any(e => e.Name == name))
            throw new BackupException(BackupError.InvalidArgument, $"the backup has no entry \"{name}\" (it has: {string.Join(", ", Manifest.Entries.Select(e => e.Name))})");
        return Path.Combine(Directory, name);
    }

    public Stream OpenEntry(string name) => File.OpenRead(EntryPath(name));

    public byte[] ReadAllBytes(string name) => File.ReadAllBytes(EntryPath(name));

    /// <summary>Refuses a backup made on another peer or by a software version this one cannot restore.</summary>
    public void Verify(string expectedSerial, IEnumerable<string> supportedSoftwareVersions) =>
        Verify(Manifest, expectedSerial, supportedSoftwareVersions);

    /// <summary>As the instance method, on a manifest alone (see <see cref="BackupReadLimits.CheckManifest"/>).</summary>
    public static void Verify(BackupManifest manifest, string expectedSerial, IEnumerable<string> supportedSoftwareVersions)
    {
        if (!string.Equals(manifest.HardwareSerial, expectedSerial, StringComparison.OrdinalIgnoreCase))
            throw new BackupException(BackupError.OtherSerial,
                $"this backup was made on hardware serial {manifest.HardwareSerial}, but this peer's serial is {expectedSerial}: " +
                "a backup restores only onto the peer that made it");
        var supported = supportedSoftwareVersions.ToList();
        if (!supported.Contains(manifest.SoftwareVersion, StringComparer.Ordinal))
            throw new BackupException(BackupError.UnsupportedSoftwareVersion,
                $"this backup was made by software version {manifest.SoftwareVersion}; this software restores {string.Join(", ", supported)}");
    }

    private static async Task<bool> DetectAsync(Stream input, string? password, CancellationToken ct)
    {
        if (!input.CanRead || !input.CanSeek)
            throw new BackupException(BackupError.InvalidArgument, "the backup stream must be readable and seekable");
        var start = input.Position;
        var magic = new byte[4];
        var n = await input.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        input.Position = start;
        if (n == 0)
            throw new BackupException(BackupError.UnknownFormat, "not a backup: the file is empty");
        if (BackupCipher.HasMagic(magic.AsSpan(0, n)))
        {
            if (password is null)
                throw new BackupException(BackupError.PasswordRequired, "the backup is encrypted: a password is required");
            return true;
        }
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return false;
        throw new BackupException(BackupError.UnknownFormat,
            $"not a backup: the file starts with {Convert.ToHexString(magic, 0, n)}, neither gzip (1F8B) nor an encrypted backup (\"APBK\")");
    }

    private static void Cleanup(List<string> created)
    {
        foreach (var f in created)
            File.Delete(f);
    }
}
