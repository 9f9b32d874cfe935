using System.Collections.Concurrent;
using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// A record the journal holds and the store file not yet: the operation (for reads, and for the
/// flush, which makes its document then: a document per waiting record, kept alive until the flush,
/// was most of what the garbage collector promoted under a sustained load), the number of its origin
/// in the file, and whether the record was new to the store when written (the file cannot hold it:
/// inserted without LiteDB's lookup first).
/// </summary>
internal sealed class Unflushed(Operation op, long originNumber, bool isNew)
{
    public Operation Op { get; } = op;
    public long OriginNumber { get; } = originNumber;
    public bool IsNew { get; } = isNew;

    /// <summary>The record's document, as the journal (<see cref="JournalFrame"/>) and the file hold it.</summary>
    public BsonDocument ToBson() => RecordMapping.ToBson(Op, OriginNumber);
}

/// <summary>
/// The records waiting for the flusher, by collection ("scope/section/"), so that a read of one
/// section looks at that section's waiting records only. Readers need no lock: entries are replaced
/// and removed whole, and each id's entry is always its newest commit.
/// </summary>
internal sealed class UnflushedRecords
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Unflushed>> _byCollection = new(StringComparer.Ordinal);

    public bool TryGet(string id, out Unflushed? record)
    {
        record = null;
        return _byCollection.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(CollectionOf(id), out var collection)
            && collection.TryGetValue(id, out record);
    }

    public void Set(string id, Unflushed record)
    {
        var name = CollectionOf(id);
        if (!_byCollection.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name, out var collection))
            collection = _byCollection.GetOrAdd(name.ToString(), _ => new(StringComparer.Ordinal));
        collection[id] = record;
    }

    /// <summary>The waiting records whose id starts with <paramref name="prefix"/> (any prefix: "", a scope, a collection, ...).</summary>
    public List<Unflushed> WithPrefix(string prefix)
    {
        var found = new List<Unflushed>();
        foreach (var (name, collection) in _byCollection)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal)) found.AddRange(collection.Values);
            else if (prefix.StartsWith(name, StringComparison.Ordinal))
                found.AddRange(collection.Values.Where(r => r.Op.Record.Id.StartsWith(prefix, StringComparison.Ordinal)));
        }
        return found;
    }

    /// <summary>How many records wait (each collection's count is exact; the sum is a moment's reading).</summary>
    public int Count => _byCollection.Values.Sum(c => c.Count);

    /// <summary>Every waiting record, for the flush.</summary>
    public List<Unflushed> All() => WithPrefix("");

    /// <summary>Drops a record the file now holds, unless a newer commit replaced it meanwhile.</summary>
    public void Remove(Unflushed record)
    {
        var id = record.Op.Record.Id;
        if (_byCollection.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(CollectionOf(id), out var collection))
            collection.TryRemove(new KeyValuePair<string, Unflushed>(id, record));
    }

    /// <summary>"scope/section/" of "scope/section/key".</summary>
    internal static ReadOnlySpan<char> CollectionOf(string id)
    {
        var scopeEnd = id.IndexOf('/');
        return id.AsSpan(0, id.IndexOf('/', scopeEnd + 1) + 1);
    }
}
