using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Appliance.Daemon.Files;
using Appliance.Daemon.Progress;

namespace Appliance.Daemon.Backup;

/// <summary>Who a backup belongs to; written to the manifest and (version, serial) to the file name.</summary>
public sealed record BackupIdentity(string SoftwareVersion, string HardwareSerial, string PeerId, string? ClusterId);

/// <summary>A written backup: where it is and what its manifest says.</summary>
public sealed record BackupResult(string Path, BackupManifest Manifest);

/// <summary>
/// Writes a backup: a gzip'd pax tar holding manifest.json first and then the caller's entries,
/// optionally encrypted with a password (see FORMAT.md). Single use: add entries, write once.
/// </summary>
public sealed partial class BackupWriter
{
    private readonly BackupIdentity _identity;
    private readonly TimeProvider _clock;
    private readonly List<PendingEntry> _entries = [];
    private bool _written;

    public BackupWriter(BackupIdentity identity, TimeProvider? clock = null)
    {
        BackupFileName.CheckPart(identity.SoftwareVersion, "software version");
        BackupFileName.CheckPart(identity.HardwareSerial, "hardware serial");
        if (string.IsNullOrWhiteSpace(identity.PeerId))
            throw new BackupException(BackupError.InvalidArgument, "peer id must not be empty");
        _identity = identity;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>How the key is derived when a password is given. Cheapen it only in tests.</summary>
    public BackupKdf Kdf { get; init; } = BackupKdf.Default;

    public int ChunkSize { get; init; } = BackupCipher.DefaultChunkSize;

    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;

    /// <summary>Moved while the backup is written ("hashing", "key" when encrypted, "compressing": bytes of the entries); null: not followed.</summary>
    public WorkProgress? Progress { get; init; }

    /// <summary>Adds an entry held in memory (e.g. secrets.json).</summary>
    public BackupWriter Add(string name, byte[] content) => Add(new PendingEntry(CheckName(name), content, null, null));

    /// <summary>
    /// Adds an entry read from <paramref name="content"/>'s current position to its end when the
    /// backup is written. The stream must be readable and seekable (hashing reads it twice); the
    /// caller keeps ownership.
    /// </summary>
    public BackupWriter Add(string name, Stream content)
    {
        CheckName(name);
        if (!content.CanRead || !content.CanSeek)
            throw new BackupException(BackupError.InvalidArgument, $"entry \"{name}\": the stream must be readable and seekable");
        return Add(new PendingEntry(name, null, content, null));
    }

    /// <summary>Adds a file, opened when the backup is written.</summary>
    public BackupWriter AddFile(string name, string path) => Add(new PendingEntry(CheckName(name), null, null, path));

    /// <summary>Writes <c>&lt;directory&gt;/&lt;name&gt;</c> (mode 0600), via a .partial file renamed when complete.</summary>
    public async Task<BackupResult> WriteToDirectoryAsync(string directory, string? password, CancellationToken ct = default)
    {
        var created = Now();
        var name = BackupFileName.Format(_identity.SoftwareVersion, _identity.HardwareSerial, created, password is not null);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        if (File.Exists(path))
            throw new BackupException(BackupError.InvalidArgument, $"backup file {path} already exists");
        var partial = path + ".partial";
        try
        {
            BackupManifest manifest;
            await using (var file = PrivateFile.CreateNew(partial))
            {
                manifest = await WriteCoreAsync(file, password, created, ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(partial, path);
            return new BackupResult(path, manifest);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>Writes the backup to a stream (left open); encrypted when a password is given.</summary>
    public Task<BackupManifest> WriteAsync(Stream output, string? password, CancellationToken ct = default) =>
        WriteCoreAsync(output, password, Now(), ct);

    private async Task<BackupManifest> WriteCoreAsync(Stream output, string? password, DateTime created, CancellationToken ct)
    {
        if (_written)
            throw new InvalidOperationException("a BackupWriter writes once");
        _written = true;
        if (password is not null)
            BackupCipher.CheckPassword(password);
        var opened = new List<Stream>();
        try
        {
            var streams = new List<Stream>();
            foreach (var e in _entries)
            {
                var data = e.Open();
                if (e.File is not null)
                    opened.Add(data);
                streams.Add(data);
            }
            var total = streams.Sum(s => s.Length - s.Position);
            Progress?.Begin("hashing", total);
            var sources = new List<(Stream Data, BackupManifestEntry Listed)>();
            for (var i = 0; i < streams.Count; i++)
            {
                var counted = ProgressStream.Wrap(streams[i], Progress, sources.Sum(s => s.Listed.Size));
                sources.Add((streams[i], await Measure(_entries[i].Name, counted, ct).ConfigureAwait(false)));
            }
            var manifest = new BackupManifest(BackupManifest.CurrentFormatVersion, _identity.SoftwareVersion,
                _identity.HardwareSerial, _identity.PeerId, _identity.ClusterId, created, [.. sources.Select(s => s.Listed)]);

            if (password is not null)
                Progress?.Begin("key", null);
            EncryptingStream? enc = password is null ? null
                : await EncryptingStream.CreateAsync(output, password, Kdf, ChunkSize, leaveOpen: true).ConfigureAwait(false);
            Progress?.Begin("compressing", total);
            long compressed = 0;
            await using (enc)
            {
                await using (var gz = new GZipStream(enc ?? output, Compression, leaveOpen: true))
                await using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
                {
                    await WriteEntry(tar, BackupManifest.FileName, new MemoryStream(manifest.ToJson()), created, ct).ConfigureAwait(false);
                    foreach (var (data, listed) in sources)
                    {
                        var slice = new HashingSlice(ProgressStream.Wrap(data, Progress, compressed), listed.Size, listed.Name);
                        await WriteEntry(tar, listed.Name, slice, created, ct).ConfigureAwait(false);
                        slice.CheckComplete(listed.Sha256);
                        compressed += listed.Size;
                    }
                }
                if (enc is not null)
                    await enc.CompleteAsync(ct).ConfigureAwait(false);
            }
            await output.FlushAsync(ct).ConfigureAwait(false);
            return manifest;
        }
        finally
        {
            foreach (var s in opened)
                await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Task WriteEntry(TarWriter tar, string name, Stream data, DateTime created, CancellationToken ct)
    {
        // 0600: entries such as secrets.json must not become world-readable when someone untars by hand.
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            ModificationTime = created,
            DataStream = data,
        };
        return tar.WriteEntryAsync(entry, ct);
    }

    /// <summary>Size and SHA-256 from the current position to the end; the position is restored.</summary>
    private static async Task<BackupManifestEntry> Measure(string name, Stream data, CancellationToken ct)
    {
        var start = data.Position;
        var hash = await SHA256.HashDataAsync(data, ct).ConfigureAwait(false);
        var size = data.Position - start;
        data.Position = start;
        return new BackupManifestEntry(name, size, Convert.ToHexStringLower(hash));
    }

    private DateTime Now()
    {
        // Whole seconds, so the file name and the manifest carry the same instant.
        var now = _clock.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
    }

    private BackupWriter Add(PendingEntry entry)
    {
        if (_entries.Any(e => e.Name == entry.Name))
            throw new BackupException(BackupError.InvalidArgument, $"entry \"{entry.Name}\" was added twice");
        _entries.Add(entry);
        return this;
    }

    private static string CheckName(string name)
    {
        var problem = BackupEntryName.Problem(name);
        if (problem is not null)
            throw new BackupException(BackupError.InvalidArgument, $"entry name \"{name}\" {problem}");
        if (name == BackupManifest.FileName)
            throw new BackupException(BackupError.InvalidArgument, $"entry name \"{name}\" is reserved for the manifest");
        return name;
    }

    private sealed record PendingEntry(string Name, byte[]? Bytes, Stream? Stream, string? File)
    {
        public Stream Open() =>
            Bytes is not null ? new MemoryStream(Bytes, writable: false)
            : Stream ?? new FileStream(File!, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
    }
}
