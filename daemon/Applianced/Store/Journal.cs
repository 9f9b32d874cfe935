using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Daemon.Store;

/// <summary>
/// The store's write-ahead journal: a commit is one frame appended to the current segment file and
/// one fdatasync, which is what makes it durable (issue 19: LiteDB's commit and checkpoint were
/// most of a write's cost). LiteDB takes the frames' changes later, many commits in one
/// transaction (Store.Journaled.cs); then the segments it holds are deleted.
/// <para>
/// Files journal-NNNNNNNNNN.log in the data directory, 0600. A segment starts with its header
/// (magic, the journal's id); frames follow: magic, payload length, frame number, the first 8 bytes
/// of SHA-256 over number and payload, payload. The id names the store file the journal belongs to
/// (kept in that file), so segments left by another file (a restore swapped it) are never replayed
/// onto it. A frame cut short by a crash fails its length or hash and ends the replay: it was never
/// acknowledged.
/// </para>
/// <para>
/// A segment the store file holds is not deleted but kept as the spare (journal-spare.log), and the
/// next segment is made of it: frames then overwrite its old ones in place instead of growing a file,
/// and fdatasync has no file size to make durable, only the data (measured on this host's ext4:
/// 0.17 instead of 0.26 ms for a 40 KB frame, and a fifth less while other files are being synced).
/// What is left of its old frames after the new ones is never replayed: the spare only ever holds
/// frames of this journal that the store file holds, numbered below any frame written after them
/// (a replay takes only the next number it expects, and stops at bytes that are not a whole frame);
/// a journal started anew (at open) deletes the spare with the segments.
/// </para>
/// </summary>
internal sealed class Journal : IDisposable
{
    private const uint SegmentMagic = 0x314A5341; // "ASJ1"
    private const uint FrameMagic = 0x31464A41;   // "AJF1"
    private const int HeaderBytes = 4 + 16;
    private const int FrameHeaderBytes = 4 + 4 + 8 + 8;
    /// <summary>Larger frames are damage, not data: a commit holds at most a few MB.</summary>
    private const int MaxPayload = 256 << 20;
    private const string Prefix = "journal-";
    private const string Suffix = ".log";
    /// <summary>Not a segment (its name has no number): never replayed.</summary>
    public const string SpareName = Prefix + "spare" + Suffix;

    private readonly string _dir;
    private Segment _current;
    private Segment? _next;

    public Guid Id { get; }
    /// <summary>The number of the last frame made durable.</summary>
    public long Last { get; private set; }

    private Journal(string dir, Guid id, long last, Segment first)
    {
        _dir = dir;
        Id = id;
        Last = last;
        _current = first;
    }

    /// <summary>Starts a new journal whose first frame is numbered <paramref name="last"/> + 1, after <see cref="DeleteAll"/>.</summary>
    public static Journal Start(string dir, Guid id, long last) => new(dir, id, last, Segment.Create(dir, 1, id));

    /// <summary>Appends one frame and flushes it to disk; only then is it counted (a failed append is written over by the next).</summary>
    public void Append(ReadOnlySpan<byte> payload)
    {
        var number = Last + 1;
        var frame = new byte[FrameHeaderBytes + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, FrameMagic);
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(4), payload.Length);
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(8), number);
        payload.CopyTo(frame.AsSpan(FrameHeaderBytes));
        Hash(frame.AsSpan(8, 8), payload).CopyTo(frame.AsSpan(16));
        _current.Append(frame);
        Last = number;
    }

    /// <summary>
    /// Prepares the next segment (created, header written, durable with its directory entry) so that
    /// <see cref="Rotate"/>, run while commits wait, only switches files.
    /// </summary>
    public void PrepareNext() => _next ??= Segment.Create(_dir, _current.Index + 1, Id, reuse: Path.Combine(_dir, SpareName));

    /// <summary>Later frames go to a new segment: the ones before it can be deleted once the store file holds them.</summary>
    public void Rotate()
    {
        PrepareNext();
        _current.Dispose();
        _current = _next!;
        _next = null;
    }

    /// <summary>
    /// Drops every segment before the current one (the store file holds their frames): the last of
    /// them becomes the spare unless there is one or it is larger than a spare is worth keeping.
    /// </summary>
    public void DeleteBeforeCurrent()
    {
        var spare = Path.Combine(_dir, SpareName);
        foreach (var (index, path) in Segments(_dir).Where(s => s.Index < _current.Index).Reverse())
        {
            if (!File.Exists(spare) && new FileInfo(path).Length <= MaxSpareBytes) File.Move(path, spare);
            else File.Delete(path);
        }
    }

    /// <summary>A segment a stalled flush or a recovery merge grew past this is not kept as the spare.</summary>
    private const long MaxSpareBytes = 8 << 20;

    /// <summary>
    /// Goes on in a new, small segment and deletes every other file, the spare too, when the store
    /// file holds every frame (its caller holds the store's locks after moving the journal in): after
    /// a compaction, the journal does not keep files sized for the load the store had.
    /// </summary>
    public void Shrink()
    {
        // No segment is prepared here: a move of the journal prepares and takes one in the same go.
        File.Delete(Path.Combine(_dir, SpareName));
        Rotate();
        foreach (var (_, path) in Segments(_dir).Where(s => s.Index < _current.Index)) File.Delete(path);
    }

    /// <summary>
    /// The payloads of the frames after <paramref name="after"/> in the segments of journal
    /// <paramref name="id"/>, in order, up to the first missing, damaged or cut-short frame.
    /// </summary>
    public static List<(long Number, byte[] Payload)> Read(string dir, Guid id, long after)
    {
        var frames = new List<(long, byte[])>();
        var expected = after + 1;
        foreach (var (_, path) in Segments(dir))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < HeaderBytes || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != SegmentMagic
                || new Guid(bytes.AsSpan(4, 16)) != id) continue;
            var at = HeaderBytes;
            while (at + FrameHeaderBytes <= bytes.Length && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) == FrameMagic)
            {
                var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at + 4));
                if (length < 0 || length > MaxPayload || at + FrameHeaderBytes + length > bytes.Length) break;
                var payload = bytes.AsSpan(at + FrameHeaderBytes, length);
                if (!Hash(bytes.AsSpan(at + 8, 8), payload).SequenceEqual(bytes.AsSpan(at + 16, 8))) break;
                var number = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at + 8));
                if (number > expected) return frames; // a frame is missing: nothing after it can apply
                if (number == expected)
                {
                    frames.Add((number, payload.ToArray()));
                    expected++;
                }
                at += FrameHeaderBytes + length;
            }
        }
        return frames;
    }

    /// <summary>Deletes every segment in <paramref name="dir"/>, and the spare.</summary>
    public static void DeleteAll(string dir)
    {
        foreach (var path in Files(dir)) File.Delete(path);
    }

    /// <summary>The journal's files in <paramref name="dir"/>: its segments, oldest first, then the spare if there is one.</summary>
    public static IEnumerable<string> Files(string dir) =>
        SegmentFiles(dir).Concat(new[] { Path.Combine(dir, SpareName) }.Where(File.Exists));

    /// <summary>The segment files in <paramref name="dir"/>, oldest first.</summary>
    public static IEnumerable<string> SegmentFiles(string dir) => Segments(dir).Select(s => s.Path);

    private static byte[] Hash(ReadOnlySpan<byte> number, ReadOnlySpan<byte> payload)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(number);
        sha.AppendData(payload);
        return sha.GetHashAndReset()[..8];
    }

    private static IEnumerable<(long Index, string Path)> Segments(string dir) =>
        Directory.EnumerateFiles(dir, Prefix + "*" + Suffix)
            .Select(p => (Index: long.TryParse(Path.GetFileName(p)[Prefix.Length..^Suffix.Length], out var n) ? n : -1, Path: p))
            .Where(s => s.Index >= 0).OrderBy(s => s.Index).ToList();

    public void Dispose()
    {
        _current.Dispose();
        _next?.Dispose();
    }

    /// <summary>One segment file, written from its header on: at its end, or over the old frames of a spare it was made of.</summary>
    private sealed class Segment : IDisposable
    {
        private readonly FileStream _file;
        private readonly string _path;
        private long _end;

        public long Index { get; }

        private Segment(long index, string path, FileStream file, long end)
        {
            Index = index;
            _path = path;
            _file = file;
            _end = end;
        }

        /// <summary>A new segment; of the spare <paramref name="reuse"/> when there is one, its old frames left to be written over.</summary>
        public static Segment Create(string dir, long index, Guid id, string? reuse = null)
        {
            var path = Path.Combine(dir, $"{Prefix}{index:D10}{Suffix}");
            var reused = reuse is not null && File.Exists(reuse);
            if (reused) File.Move(reuse!, path);
            var file = new FileStream(path, new FileStreamOptions
            {
                Mode = reused ? FileMode.Open : FileMode.Create,
                Access = FileAccess.ReadWrite,
                Share = FileShare.Read,
                BufferSize = 0,
                UnixCreateMode = reused ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            var segment = new Segment(index, path, file, 0);
            try
            {
                var header = new byte[HeaderBytes];
                BinaryPrimitives.WriteUInt32LittleEndian(header, SegmentMagic);
                id.TryWriteBytes(header.AsSpan(4));
                segment.Append(header);
                FileSync.Path(dir); // a new file's name is durable only once its directory is
            }
            catch
            {
                segment.Dispose();
                throw;
            }
            return segment;
        }

        public void Append(byte[] bytes)
        {
            RandomAccess.Write(_file.SafeFileHandle, bytes, _end);
            FileSync.Data(_file.SafeFileHandle, _path);
            _end += bytes.Length;
        }

        public void Dispose() => _file.Dispose();
    }
}
