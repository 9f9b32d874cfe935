using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Node;

/// <summary>
/// The validated values of plain sections as <see cref="ConfigStore.Read"/> last read them, each kept
/// with the stamp its record's collection had before it was read (<see cref="Store.Store.StampOf"/>),
/// and served only while that stamp holds. Validating a change reads several sections of this peer
/// (its address, whether the admin password is set, whether SSH is off): each a LiteDB query that
/// waits behind any checkpoint in progress and allocates tens of KB (issue 19). A value read while a
/// commit changed it carries the older stamp, so it is read again next time; a value served counts
/// as read for a tracked write (Store.Reads.cs) like a read of the store.
/// </summary>
internal sealed class ConfigReadCache(Store.Store store)
{
    private readonly ConcurrentDictionary<string, (long Stamp, JsonObject Value)> _values = new(StringComparer.Ordinal);

    /// <summary>A copy of the value of plain section record <paramref name="id"/> ("scope/section/"), else what <paramref name="read"/> returns (kept for next time).</summary>
    public JsonObject Get(string id, Func<JsonObject> read)
    {
        var stamp = store.StampOf(id);
        if (_values.TryGetValue(id, out var cached) && cached.Stamp == stamp)
        {
            Store.Store.NoteRead(id);
            return (JsonObject)cached.Value.DeepClone();
        }
        var value = read();
        _values[id] = (stamp, (JsonObject)value.DeepClone());
        return value;
    }
}
