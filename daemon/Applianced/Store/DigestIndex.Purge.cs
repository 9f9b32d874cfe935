namespace Appliance.Daemon.Store;

/// <summary>Records leaving the store altogether: purged tombstones, and stale copies of records purged elsewhere.</summary>
public sealed partial class DigestIndex
{
    /// <summary>The record is gone from the file: it leaves the digests, the heads and its origin's log.</summary>
    public void Remove(string id)
    {
        if (!_heads.Remove(id, out var head)) return;
        var origin = head.Version.Origin;
        LogRemoved(origin);
        CompactIfHalfDead(origin, _logs[origin]);
        var collection = id[..id.IndexOf('/', id.IndexOf('/') + 1)];
        if (_collections.TryGetValue(collection, out var c)) c.Remove(id, Fnv(id));
    }

    /// <summary>Every tombstone the store holds, with the version and log position of the delete.</summary>
    public List<(string Id, Head Head)> Tombstones() =>
        _heads.Where(kv => kv.Value.ValueHash == 0).Select(kv => (kv.Key, kv.Value)).ToList();

    /// <summary>How many records the store holds, tombstones included.</summary>
    public int Count => _heads.Count;

    /// <summary>How many records are tombstones (for status).</summary>
    public int TombstoneCount => _heads.Values.Count(h => h.ValueHash == 0);
}
