using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// The validated values of plain sections as <see cref="ConfigStore.Read"/> last read them, until a
/// commit changes their record. Validating a change reads several sections of this peer (its address,
/// whether the admin password is set, whether SSH is off): each a LiteDB query that waits behind any
/// checkpoint in progress and allocates tens of KB (issue 19). A value is kept only when no commit
/// happened while it was read, so a read racing a commit never keeps the older value.
/// </summary>
internal sealed class ConfigReadCache
{
    private readonly ConcurrentDictionary<string, JsonObject> _values = new(StringComparer.Ordinal);
    private long _commits;

    public ConfigReadCache(Store.Store store) => store.Committed += Forget;

    private void Forget(CommitInfo commit)
    {
        Interlocked.Increment(ref _commits);
        if (commit.Reset) _values.Clear(); // a join dropped this peer's shared sections: none of them holds any more
        foreach (var r in commit.Changed) _values.TryRemove(r.Id, out _);
        foreach (var c in commit.Conflicts) _values.TryRemove(c.Winner.Id, out _);
    }

    /// <summary>A copy of the cached value of record <paramref name="id"/>, else what <paramref name="read"/> returns (kept for next time).</summary>
    public JsonObject Get(string id, Func<JsonObject> read)
    {
        if (_values.TryGetValue(id, out var cached)) return (JsonObject)cached.DeepClone();
        var commits = Interlocked.Read(ref _commits);
        var value = read();
        if (Interlocked.Read(ref _commits) == commits) _values[id] = (JsonObject)value.DeepClone();
        return value;
    }
}
