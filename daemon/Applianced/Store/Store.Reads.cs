using System.Collections.Concurrent;

namespace Appliance.Daemon.Store;

/// <summary>
/// Checked read-modify-write. A caller that decides a write from what it read (a section's other
/// fields, the rules between records) tracks its reads (<see cref="TrackReads"/>); its write is then
/// refused (<see cref="StaleReadException"/>, nothing of it stored) when a commit since its reads
/// began changed a collection it read, this commit's earlier writes included. Two concurrent
/// changes then never both pass on what neither saw of the other: the loser reads again and checks
/// again. A record read alone (Get) counts as its version; a collection or scope read whole counts
/// as its stamp: each collection ("scope/section/") carries the stamp of the last commit that changed
/// it, set once that commit's records are readable.
/// </summary>
public sealed partial class Store
{
    internal static readonly AsyncLocal<ReadSet?> Tracked = new();
    private readonly ConcurrentDictionary<string, long> _stamps = new(StringComparer.Ordinal);
    /// <summary>The last stamp given to a commit; written after its collections' stamps.</summary>
    private long _stamp;
    /// <summary>The stamp of the last change made straight in the file to collections nobody listed (a join's reset).</summary>
    private long _resetStamp;

    /// <summary>
    /// Tracks the reads of the calling flow (and the flows it awaits) until disposed: a write it
    /// makes meanwhile holds only if nothing it read changed first.
    /// </summary>
    public ReadSet TrackReads() => Tracked.Value = new ReadSet(Volatile.Read(ref _stamp));

    /// <summary>The stamp of the last commit that changed collection "scope/section/" (0: none since this process opened the store).</summary>
    public long StampOf(string collection) => Math.Max(_stamps.GetValueOrDefault(collection), Volatile.Read(ref _resetStamp));

    /// <summary>Records that the tracked flow read the records under <paramref name="prefix"/> (a collection, a scope).</summary>
    public static void NoteRead(string prefix) => Tracked.Value?.Add(prefix);

    /// <summary>Stamps the collections of a commit's records, now readable (caller holds the write lock).</summary>
    private void StampCommit(IEnumerable<string> ids)
    {
        var stamp = _stamp + 1;
        var lookup = _stamps.GetAlternateLookup<ReadOnlySpan<char>>();
        var last = ReadOnlySpan<char>.Empty;
        foreach (var id in ids)
        {
            // A commit's records mostly share a collection (a batch, a replicated range): one store each run.
            var collection = UnflushedRecords.CollectionOf(id);
            if (collection.SequenceEqual(last)) continue;
            lookup[collection] = stamp;
            last = collection;
        }
        Volatile.Write(ref _stamp, stamp);
    }

    /// <summary>After a change straight in the file that may touch any collection: every tracked read before it is stale.</summary>
    private void StampEverything()
    {
        var stamp = _stamp + 1;
        Volatile.Write(ref _resetStamp, stamp);
        Volatile.Write(ref _stamp, stamp);
    }

    /// <summary>
    /// The prefix a tracked write read that changed since its reads began, by a commit or by this
    /// commit's earlier writes (<paramref name="building"/>); null when none did.
    /// </summary>
    private string? StaleRead(ReadSet reads, Frame? building, DigestIndex index)
    {
        var records = reads.Records();
        var prefixes = reads.Prefixes();
        // A join dropped records without listing them: whatever the flow read is gone or changed.
        if (_resetStamp > reads.Start) return records.Select(r => r.Key).Concat(prefixes).FirstOrDefault();
        foreach (var (id, seen) in records)
        {
            // The index holds this commit's earlier writes too.
            RecordVersion? now = index.TryGetHead(id, out var head) ? head.Version : null;
            if (now != seen) return id;
        }
        foreach (var prefix in prefixes)
        {
            var committed = IsCollection(prefix) ? _stamps.GetValueOrDefault(prefix) > reads.Start
                : _stamps.Any(s => s.Value > reads.Start && s.Key.StartsWith(prefix, StringComparison.Ordinal));
            // A collection's stamp moves once its commit is done: this commit's earlier writes are in the frame.
            if (committed || building?.Records.Keys.Any(id => id.StartsWith(prefix, StringComparison.Ordinal)) == true) return prefix;
        }
        return null;
    }

    /// <summary>"scope/section/": two slashes, the second last.</summary>
    private static bool IsCollection(string prefix) => prefix.EndsWith('/') && prefix.AsSpan().Count('/') == 2;
}

/// <summary>What one flow read, from when (<see cref="Start"/>): the stamp of the last commit before its first read.</summary>
public sealed class ReadSet(long start) : IDisposable
{
    private readonly HashSet<string> _prefixes = new(StringComparer.Ordinal);
    /// <summary>Single records read, each with the version it had (null: absent).</summary>
    private readonly Dictionary<string, RecordVersion?> _records = new(StringComparer.Ordinal);
    public long Start { get; } = start;

    internal void Add(string prefix)
    {
        if (Volatile.Read(ref _spent) != 0) return; // spent or disposed: nothing it reads matters any more
        lock (_prefixes) _prefixes.Add(prefix);
    }

    /// <summary>The first version read of each record counts: a record read again later in the flow was decided from the first too.</summary>
    internal void AddRecord(string id, RecordVersion? version)
    {
        if (Volatile.Read(ref _spent) != 0) return;
        lock (_prefixes) _records.TryAdd(id, version);
    }

    internal KeyValuePair<string, RecordVersion?>[] Records()
    {
        lock (_prefixes) return [.. _records];
    }

    private int _spent;

    /// <summary>This set for the flow's first write; null for any write after it (seen from any async context of the flow).</summary>
    internal ReadSet? Spend() => Interlocked.Exchange(ref _spent, 1) == 0 ? this : null;

    internal string[] Prefixes()
    {
        lock (_prefixes) return [.. _prefixes];
    }

    /// <summary>
    /// Ends the tracking: in the flow that started it, and in any work that flow started and that
    /// inherited it (a dial loop, a timer), whose writes are then untracked as any other.
    /// </summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref _spent, 1);
        if (Store.Tracked.Value == this) Store.Tracked.Value = null;
    }
}

/// <summary>A write refused because something it was decided from changed before it was committed; nothing of it was stored.</summary>
public sealed class StaleReadException(string prefix)
    : InvalidOperationException($"the records under {prefix} changed while the write was being decided")
{
    public string Prefix { get; } = prefix;
}
