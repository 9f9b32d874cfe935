using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;

namespace Appliance.Daemon.Logs;

/// <summary>
/// An append-only JSON-lines log capped in size: when the current file passes half the cap it
/// becomes the previous file (the older previous one is dropped), so at most the cap is kept.
/// Followers get every entry appended after they subscribe.
/// </summary>
public sealed class JsonLinesLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _path;
    private readonly string _previous;
    private readonly long _halfCap;
    private readonly Lock _gate = new();
    private readonly List<Channel<LogEntry>> _followers = [];

    public string Name { get; }

    public JsonLinesLog(string name, string directory, long capBytes)
    {
        Name = name;
        Directory.CreateDirectory(directory);
        _path = Path.Combine(directory, name + ".log.jsonl");
        _previous = _path + ".1";
        _halfCap = Math.Max(4096, capBytes / 2);
    }

    /// <summary>Raised for every appended entry (used to forward to remote syslog).</summary>
    public event Action<LogEntry>? Appended;

    public void Append(LogEntry entry) => Append([entry]);

    /// <summary>
    /// Entries of one change (a request adding many items) in one write: one system call instead of
    /// one per line (issue 19), and a reader (log.read, another process) never sees half a line.
    /// </summary>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        buffer.ResetWrittenCount();
        foreach (var entry in entries)
        {
            writer.Reset(buffer);
            JsonSerializer.Serialize(writer, entry, Json);
            writer.Flush();
            buffer.Write("\n"u8);
        }
        if (buffer.Capacity > MaxKeptBuffer) (t_buffer, t_writer) = (null, null); // not kept for the next append: a huge change's lines
        lock (_gate)
        {
            var file = _file ??= OpenForAppend();
            if (file.Length + buffer.WrittenCount > _halfCap)
            {
                file.Dispose();
                File.Move(_path, _previous, overwrite: true);
                file = _file = OpenForAppend();
            }
            file.Write(buffer.WrittenSpan);
            foreach (var f in _followers)
                foreach (var entry in entries) f.Writer.TryWrite(entry);
        }
        foreach (var entry in entries) Appended?.Invoke(entry);
    }

    // Each thread's lines are built in one buffer it keeps: a new buffer per append, grown a few
    // times while one line was written, was most of what a replicated record's log line allocated (issue 19).
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    private const int MaxKeptBuffer = 1 << 16;

    /// <summary>
    /// The current file, kept open between appends: opening and closing it for every line (and
    /// asking its size by path) cost more than the write itself on a busy peer (issue 19). Unbuffered,
    /// so each line reaches the kernel before Append returns, as before.
    /// </summary>
    private FileStream? _file;

    private FileStream OpenForAppend() =>
        new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    public IReadOnlyList<LogEntry> Read(DateTimeOffset? since = null, int limit = 1000)
    {
        var entries = new List<LogEntry>();
        lock (_gate)
        {
            foreach (var file in new[] { _previous, _path })
            {
                if (!File.Exists(file)) continue;
                foreach (var line in File.ReadLines(file))
                {
                    if (line.Length == 0) continue;
                    var e = TryParse(line);
                    if (e is not null && (since is null || e.Time >= since)) entries.Add(e);
                }
            }
        }
        return entries.Count > limit ? entries[^limit..] : entries;
    }

    /// <summary>Entries appended from now on, until the token is cancelled.</summary>
    public async IAsyncEnumerable<LogEntry> Follow([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<LogEntry>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate) _followers.Add(channel);
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct)) yield return e;
        }
        finally
        {
            lock (_gate) _followers.Remove(channel);
        }
    }

    private static LogEntry? TryParse(string line)
    {
        try { return JsonSerializer.Deserialize<LogEntry>(line, Json); }
        catch (JsonException) { return null; } // a torn last line after a crash is skipped
    }
}
