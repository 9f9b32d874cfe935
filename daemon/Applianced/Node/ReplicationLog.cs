using System.Text.Json.Nodes;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// Writes what arrives from peers into the configuration log (channel "peer"), and every lost
/// last-writer-wins race with both values (secrets masked). Replicated status records are left out:
/// a few minutes of conference status would otherwise rotate every configuration change out of the log.
/// </summary>
internal sealed class ReplicationLog(ConfigStore config, NodeLogs logs)
{
    private const int DetailLimit = 20;

    private readonly System.Threading.Channels.Channel<CommitInfo> _pending =
        System.Threading.Channels.Channel.CreateUnbounded<CommitInfo>(new() { SingleReader = true });

    private readonly Lock _order = new();
    private int _queued;

    /// <summary>
    /// A commit of a few records is logged at once, on the committing thread (a line or two appended
    /// to an open file): handing it to another task cost a thread hand-off on every replicated write
    /// before `log.follow` showed it (issue 19). Larger commits are logged off the commit path, and
    /// while any wait there, later ones queue behind them so the log keeps the order of commits.
    /// </summary>
    public void Attach(Store.Store store)
    {
        store.Committed += c =>
        {
            ForgetHostNames(c);
            if (!c.Remote && c.Conflicts.Count == 0) return;
            if (c.Changed.Count + c.Conflicts.Count <= InlineLimit)
            {
                lock (_order)
                {
                    if (Volatile.Read(ref _queued) == 0)
                    {
                        // Never fails the commit it describes (the writer waits for this handler).
                        try { OnCommitted(c); }
                        catch (IOException) { }
                        return;
                    }
                }
            }
            Interlocked.Increment(ref _queued);
            _pending.Writer.TryWrite(c);
        };
        _ = Task.Run(async () =>
        {
            await foreach (var commit in _pending.Reader.ReadAllAsync())
            {
                lock (_order)
                {
                    OnCommitted(commit);
                    // Atomic: commits count themselves in outside the lock, and a plain decrement
                    // could drop one of those, letting a later commit log ahead of a queued one.
                    Interlocked.Decrement(ref _queued);
                }
            }
        });
    }

    private const int InlineLimit = 4;

    private void OnCommitted(CommitInfo commit)
    {
        foreach (var c in commit.Conflicts)
        {
            logs.Config.Append(new LogEntry
            {
                Level = "conflict",
                Channel = "peer",
                Field = Name(c.Winner),
                Old = Show(c.Loser),
                New = Show(c.Winner),
                Message = $"concurrent writes to {Name(c.Winner)}: kept the write of {HostOf(c.Winner.Version.Origin)}, dropped the one of {HostOf(c.Loser.Version.Origin)}",
            });
        }
        if (!commit.Remote) return;
        var changed = commit.Changed.Where(r => !IsStatus(r)).ToList();
        if (changed.Count == 0) return;
        if (changed.Count > DetailLimit)
        {
            logs.Config.Append(new LogEntry { Level = "change", Channel = "peer", Message = $"{changed.Count} records replicated from peers" });
            return;
        }
        foreach (var r in changed)
            logs.Config.Append(new LogEntry { Level = "change", Channel = "peer", User = HostOf(r.Version.Origin), Field = Name(r), New = Show(r), Message = $"{Name(r)} replicated" });
    }

    private static bool IsStatus(StoredRecord r) => Config.ConfigSchema.TryGet(r.Section, out var def) && def.IsStatus;

    private string Name(StoredRecord r)
    {
        var owner = r.Scope == Scopes.Cluster || r.Scope == config.OwnScope || !Scopes.IsPeer(r.Scope, out var peerId)
            ? ""
            : $"[{HostOf(peerId)}] ";
        return owner + (r.Key.Length == 0 ? r.Section : $"{r.Section}.{r.Key}");
    }

    /// <summary>
    /// A peer as people know it: its host name, or the start of its id while its system settings
    /// have not arrived (the defaults would name every such peer "appliance").
    /// </summary>
    private string HostOf(string peerId)
    {
        if (_hosts.TryGetValue(peerId, out var known)) return known;
        var changes = Interlocked.Read(ref _systemChanges);
        var host = config.Store.Get(Scopes.Peer(peerId), "system", "")?.Value is not null
            ? config.Read("system", peerId)["hostname"]?.GetValue<string>() ?? peerId
            : $"peer {peerId[..Math.Min(8, peerId.Length)]}";
        // Kept only when no system settings committed meanwhile, so a name read before a rename is never kept after it.
        if (Interlocked.Read(ref _systemChanges) == changes) _hosts[peerId] = host;
        return host;
    }

    /// <summary>
    /// Host names as <see cref="HostOf"/> found them, until a commit changes some peer's system
    /// settings: finding one reads the store (a LiteDB lookup waiting behind any checkpoint), which
    /// every replicated record's log line paid before (issue 19).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _hosts = new(StringComparer.Ordinal);
    private long _systemChanges;

    private void ForgetHostNames(CommitInfo commit)
    {
        if (!commit.Changed.Any(r => r.Section == "system") && !commit.Conflicts.Any(c => c.Winner.Section == "system")) return;
        Interlocked.Increment(ref _systemChanges);
        _hosts.Clear();
    }

    private static string Show(StoredRecord r)
    {
        if (r.Value is null) return "(deleted)";
        if (!Config.ConfigSchema.TryGet(r.Section, out _)) return $"({r.Value.Length} bytes)"; // internal records: licences, active firewall
        try { return ConfigStore.Describe(r.Section, JsonNode.Parse(r.Value)!.AsObject()); }
        catch (Exception e) when (e is System.Text.Json.JsonException or Config.ConfigValidationException or InvalidOperationException)
        {
            return "(unreadable)";
        }
    }
}
