using System.Threading.Channels;
using Appliance.Daemon.Config;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// Says so when a record in the store fails <see cref="RecordCheck"/>: as it commits from a peer or
/// from recovery, and for the whole store at start, which is how a restored backup comes in. Each invalid record gets an error line in the event log naming the record, who
/// wrote it, the field and the rule, and an alarm that goes when the record is replaced by a valid
/// one or deleted. The record itself stays stored, so every peer keeps the same records and digests
/// (refusing it would make recovery pull it again forever); the appliers never use it because
/// they read through the same check (ApplierContext.Section, FirewallWindow.ActiveToApply).
/// Runs off the commit path, in commit order, like the replication log.
/// </summary>
public sealed class InvalidRecordAlarms(Store.Store store, ConfigStore config, NodeLogs logs, Func<string, string> describePeer)
{
    public const string AlarmPrefix = "invalid-record:";

    /// <summary>Raised instead of one alarm each for the records beyond <see cref="MaxAlarms"/>.</summary>
    public const string OverflowAlarm = "invalid-records";

    public const int MaxAlarms = 64;
    private const int DetailLimit = 20;

    private readonly Channel<CommitInfo> _pending = Channel.CreateUnbounded<CommitInfo>(new() { SingleReader = true });
    private readonly HashSet<string> _invalid = new(StringComparer.Ordinal);
    private readonly HashSet<string> _alarmed = new(StringComparer.Ordinal);

    /// <summary>Follows every commit from now on, and checks the whole store first.</summary>
    public void Attach()
    {
        store.Committed += OnCommitted;
        _ = Task.Run(async () =>
        {
            Guarded(() => CheckStore(" in the store at start"));
            await foreach (var commit in _pending.Reader.ReadAllAsync())
                Guarded(() =>
                {
                    // A join dropped records without listing them: their alarms are weighed again with the whole store.
                    if (commit.Reset) CheckStoreAgain();
                    else Check(Arrived(commit), "");
                });
        });
    }

    /// <summary>Stops following commits (the node stops; the store closes after).</summary>
    public void Stop()
    {
        store.Committed -= OnCommitted;
        _pending.Writer.TryComplete();
    }

    private void OnCommitted(CommitInfo commit) => _pending.Writer.TryWrite(commit);

    /// <summary>
    /// What a commit brings to check: everything a peer or recovery sent. A local write went through
    /// the model already; it only counts where it replaces a record known to be invalid (to lower its alarm).
    /// </summary>
    private IReadOnlyList<StoredRecord> Arrived(CommitInfo commit) =>
        commit.Remote ? commit.Changed : commit.Changed.Where(r => _invalid.Contains(AlarmPrefix + r.Id)).ToList();

    /// <summary>Every record weighed again; an alarm of a record no longer stored (or now valid) is lowered.</summary>
    private void CheckStoreAgain()
    {
        var raised = _alarmed.ToList();
        _invalid.Clear();
        _alarmed.Clear();
        CheckStore(" after the join");
        foreach (var id in raised.Where(id => !_alarmed.Contains(id))) logs.Alarms.Lower(id);
    }

    private void CheckStore(string where)
    {
        foreach (var collection in store.WithDigests(d => d.Collections().Keys.ToList()))
        {
            var scope = collection[..collection.IndexOf('/')];
            var section = collection[(scope.Length + 1)..];
            // Peer scopes are checked whole (who wrote a record); elsewhere only what the model knows.
            if (!Scopes.IsPeer(scope, out _) && section != Appliers.FirewallWindow.ActiveSection && !ConfigSchema.TryGet(section, out _)) continue;
            string? after = null;
            while (store.ScanOps(collection, after, 256) is { Count: > 0 } page)
            {
                Check(page.Select(o => o.Record).ToList(), where);
                after = page[^1].Record.Id;
            }
        }
        foreach (var def in ConfigSchema.All.Where(d => d.Scope == ConfigScope.Local))
        {
            var error = config.CheckLocal(def.Name).Error;
            Report(AlarmPrefix + "local/" + def.Name, () => $"local setting {def.Name}", error, where, logLine: true);
        }
        UpdateOverflow();
    }

    private void Check(IReadOnlyList<StoredRecord> records, string where)
    {
        var invalid = 0;
        foreach (var r in records)
        {
            var error = RecordCheck.Check(r);
            var logLine = error is not null && ++invalid <= DetailLimit;
            // The description only for a record that needs one: most arrive valid, and naming a peer looks up its link.
            Report(AlarmPrefix + r.Id, () => $"{RecordCheck.Name(r)}{Owner(r)} from {describePeer(r.Version.Origin)}", error, where, logLine);
        }
        if (invalid > DetailLimit)
            logs.Event($"{invalid - DetailLimit} more invalid records{where} (see the alarms)", "error");
        UpdateOverflow();
    }

    /// <summary>Raises the record's alarm while it is invalid (up to <see cref="MaxAlarms"/>), lowers it once it is not.</summary>
    private void Report(string id, Func<string> describe, ValidationError? error, string where, bool logLine)
    {
        if (error is null)
        {
            if (_invalid.Remove(id) && _alarmed.Remove(id)) logs.Alarms.Lower(id);
            return;
        }
        var what = describe();
        if (logLine)
            logs.Event($"invalid record {what}{where}: {error.Message}; kept in the store, not applied", "error");
        _invalid.Add(id);
        if (_alarmed.Contains(id) || _alarmed.Count < MaxAlarms)
        {
            _alarmed.Add(id);
            logs.Alarms.Raise(id, AlarmRegistry.Error, $"invalid record {what}, not applied: {error.Message}");
        }
    }

    private void UpdateOverflow()
    {
        var more = _invalid.Count - _alarmed.Count;
        logs.Alarms.Set(OverflowAlarm, more > 0, AlarmRegistry.Error, $"{more} more invalid records, not applied (see the event log)");
    }

    /// <summary>A failure of the check itself (the log disk full) must not end the checking of later commits.</summary>
    private void Guarded(Action check)
    {
        try
        {
            check();
        }
        catch (ObjectDisposedException)
        {
            // The node stopped while checking; the next start checks the whole store again.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            try { logs.Event($"checking stored records failed: {e.Message}", "error"); }
            catch (IOException) { }
        }
    }

    /// <summary>" of peer X" for another peer's own settings; nothing for shared ones or this peer's.</summary>
    private string Owner(StoredRecord r) =>
        Scopes.IsPeer(r.Scope, out var owner) && owner != store.PeerId ? $" of {describePeer(owner)}" : "";
}
