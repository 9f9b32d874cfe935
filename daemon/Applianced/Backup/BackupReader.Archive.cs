using System.Formats.Tar;
using System.Security.Cryptography;
using Appliance.Daemon.Files;

namespace Appliance.Daemon.Backup;

public sealed partial class BackupReader
{
    private static async Task<BackupManifest> ReadArchiveAsync(Stream tarStream, string? directory, List<string> created, BackupReadLimits limits, CancellationToken ct)
    {
        await using var tar = new TarReader(new TarHeaderGuard(tarStream), leaveOpen: true);
        var first = await tar.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false)
            ?? throw new BackupException(BackupError.Truncated, "truncated: the archive holds no entries");
        if (first.Name != BackupManifest.FileName || !IsRegularFile(first))
            throw new BackupException(BackupError.InvalidManifest, $"the first entry is \"{first.Name}\", not {BackupManifest.FileName}");
        if (first.Length > MaxManifestBytes)
            throw new BackupException(BackupError.InvalidManifest, $"{BackupManifest.FileName} is {first.Length} bytes, more than {MaxManifestBytes}");
        var json = new MemoryStream();
        if (first.DataStream is not null)
            await first.DataStream.CopyToAsync(json, ct).ConfigureAwait(false);
        var manifest = BackupManifest.Parse(json.ToArray());
        // Who made it, which version, and how large it unpacks are all known now: refuse before
        // a single byte is extracted, not after filling the disk.
        limits.Check(manifest);

        var listed = manifest.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (await tar.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (!listed.TryGetValue(entry.Name, out var expected))
                throw new BackupException(BackupError.InvalidManifest, $"entry \"{entry.Name}\" is in the archive but not in {BackupManifest.FileName}");
            if (!IsRegularFile(entry))
                throw new BackupException(BackupError.Corrupted, $"entry \"{entry.Name}\" is a {entry.EntryType}, not a regular file");
            if (!seen.Add(entry.Name))
                throw new BackupException(BackupError.Corrupted, $"entry \"{entry.Name}\" appears twice in the archive");
            if (entry.Length != expected.Size)
                throw new BackupException(BackupError.Corrupted, $"entry \"{entry.Name}\" is {entry.Length} bytes, {BackupManifest.FileName} says {expected.Size}");
            var sha = await CopyAndHash(entry, directory, created, ct).ConfigureAwait(false);
            if (sha != expected.Sha256)
                throw new BackupException(BackupError.Corrupted, $"entry \"{entry.Name}\" fails its SHA-256 check: content {sha}, {BackupManifest.FileName} says {expected.Sha256}");
        }
        var missing = manifest.Entries.Where(e => !seen.Contains(e.Name)).Select(e => e.Name).ToList();
        if (missing.Count > 0)
            throw new BackupException(BackupError.Truncated, $"truncated: entries listed in {BackupManifest.FileName} are missing from the archive: {string.Join(", ", missing)}");
        return manifest;
    }

    private static bool IsRegularFile(TarEntry e) => e.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile;

    private static async Task<string> CopyAndHash(TarEntry entry, string? directory, List<string> created, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        FileStream? file = null;
        if (directory is not null)
        {
            var path = Path.Combine(directory, entry.Name);
            file = PrivateFile.CreateNew(path);
            created.Add(path);
        }
        await using (file)
        {
            if (entry.DataStream is { } data)
            {
                var buf = new byte[81920];
                long total = 0;
                int n;
                while ((n = await data.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
                {
                    total += n;
                    hash.AppendData(buf, 0, n);
                    if (file is not null)
                        await file.WriteAsync(buf.AsMemory(0, n), ct).ConfigureAwait(false);
                }
                // The tar reader ends an entry's data quietly when the gzip stream ends early.
                if (total < entry.Length)
                    throw new BackupException(BackupError.Truncated, $"truncated: entry \"{entry.Name}\" ends after {total} of {entry.Length} bytes");
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
