using Appliance.Daemon.Bridges;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Sip;

/// <summary>
/// Carries out what <see cref="SplitWatcher"/> decides for this peer (CONFERENCING.md, "Moving the
/// calls"): for a placement that lost, this peer's calls in it move to the kept bridge, and once none
/// is left there and the bridge lists no participant in it, its conference is destroyed on its bridge.
/// A step that fails (a bridge refuses, a caller refuses the new SDP) leaves the call where it is and
/// the whole is tried again every few seconds until it is done; a placement removed from under calls
/// of this peer has its record written again. Calls of this peer that joined another peer's placement
/// follow the record too: when the stored record names another bridge than theirs (that placement
/// lost a split), they move to it, and the placing peer destroys its conference once they left.
/// </summary>
internal sealed class SplitMover(B2bua calls, ConfigStore config, Func<BridgeWatcher> bridges, NodeLogs logs, TimeProvider time)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    private readonly Dictionary<string, SplitDecision> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reported = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pass = new(1, 1);
    /// <summary>Set when a decision is pending: with none, the retries sleep instead of waking every period (issue 19, idle).</summary>
    private readonly Cluster.Signal _pendingAdded = new();

    /// <summary>The SplitWatcher's decision about a placement of this peer.</summary>
    public void OnSettled(LiveConference mine, SplitDecision decision)
    {
        if (decision.Action == SplitAction.MoveAndDestroy)
        {
            // This peer placed it: its decision (moves and the destroy) replaces a Follow of the same name.
            lock (_pending) _pending[mine.Name] = decision;
            _pendingAdded.Set();
            _ = Task.Run(() => PassAsync(CancellationToken.None));
        }
        else if (decision.Action is SplitAction.Rewrite or SplitAction.Forget && calls.Holds(mine.Name))
        {
            _ = RewriteAsync(mine);
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        config.Store.Committed += OnCommitted;
        try
        {
            // A pass fails a step by naming it, never by throwing; the logged failure is for a fault of this loop itself.
            await PeriodicPass.RunAsync(Period, time, async c =>
            {
                await PassAsync(c);
                lock (_pending) return _pending.Count > 0;
            }, e => logs.Event($"SIP: moving the calls of a split conference failed: {e.Message}", "error"), _pendingAdded, ct);
        }
        finally
        {
            config.Store.Committed -= OnCommitted;
        }
    }

    /// <summary>A peer's write of a conference record that names another bridge than calls of this peer in it are on: they follow it.</summary>
    private void OnCommitted(CommitInfo commit)
    {
        if (!commit.Remote) return;
        var follow = false;
        foreach (var r in commit.Changed)
        {
            if (r.Scope != Scopes.Cluster || r.Section != "conferences" || r.Value is null) continue;
            if (System.Text.Json.Nodes.JsonNode.Parse(r.Value) is not System.Text.Json.Nodes.JsonObject item || LiveConference.From(item) is not { } kept) continue;
            if (kept.PlacedBy == config.Store.PeerId) continue; // this peer's own placement: the SplitWatcher decides
            foreach (var (joined, held) in calls.AnsweredOn(kept.Name).Where(b => b.Key != kept.Bridge))
            {
                var decision = ConferenceSplit.Follow(kept.Name, joined, kept.Bridge, held);
                lock (_pending)
                {
                    if (_pending.TryGetValue(kept.Name, out var placed) && placed.Action == SplitAction.MoveAndDestroy) continue;
                    _pending[kept.Name] = decision;
                }
                logs.Event(decision.Reason, "warning");
                _pendingAdded.Set();
                follow = true;
            }
        }
        if (follow) _ = Task.Run(() => PassAsync(CancellationToken.None));
    }

    private async Task PassAsync(CancellationToken ct)
    {
        if (!await _pass.WaitAsync(0, ct)) return; // one pass at a time; the next tick picks up what this one left
        try
        {
            List<KeyValuePair<string, SplitDecision>> pending;
            lock (_pending) pending = [.. _pending];
            foreach (var (name, decision) in pending)
            {
                string? problem;
                try { problem = await SettleAsync(name, decision, ct); }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException) { problem = e.Message; }
                if (problem is null)
                {
                    lock (_pending) _pending.Remove(name);
                    _reported.Remove(name);
                }
                else if (!_reported.TryGetValue(name, out var last) || last != problem)
                {
                    _reported[name] = problem; // each new reason once, not every pass
                    logs.Event($"conference {name}: this peer's move to bridge {decision.MoveTo} is not done: {problem}; trying again", "warning");
                }
            }
        }
        finally
        {
            _pass.Release();
        }
    }

    /// <summary>One pass over one lost placement: null once its calls are on the kept bridge and its conference is gone from its own.</summary>
    private async Task<string?> SettleAsync(string name, SplitDecision decision, CancellationToken ct)
    {
        var (from, to) = (decision.DestroyOn!, decision.MoveTo!);
        var stayed = await calls.MoveAsync(name, from, to);
        if (stayed.Count > 0) return string.Join("; ", stayed);
        if (decision.Action == SplitAction.Follow)
        {
            logs.Event($"conference {name}: this peer's calls followed it to bridge {to}", "warning");
            return null;
        }
        if (calls.HoldsOn(name, from)) return $"a call of this peer on bridge {from} is still being set up";
        if (bridges().Client(from) is not { } client) return $"bridge {from} is no longer configured";
        try
        {
            var left = await client.EnumerateParticipantsAsync(name, ct);
            if (left.Count > 0) return $"bridge {from} still lists {left.Count} participants in it";
            await client.DestroyConferenceAsync(name, ct);
        }
        catch (BridgeCallException e) when (e.FaultCode == BridgeFaults.NoSuchConference) { }
        catch (BridgeCallException e)
        {
            return $"bridge {from}: {e.Message}";
        }
        logs.Event($"conference {name}: this peer's calls are in it on bridge {to}, and its own placement on bridge {from} is destroyed", "warning");
        return null;
    }

    /// <summary>The record went (a peer's linger raced a call here): this peer's placement is written again, as the design's Rewrite says.</summary>
    private async Task RewriteAsync(LiveConference mine)
    {
        try
        {
            var value = Config.ConfigOps.Validate("conferences", mine.ToItem()).Value.ToJsonString();
            await config.Store.WriteAsync([new Mutation(Scopes.Cluster, "conferences", mine.Name, value) { MustBeNew = true }]);
            logs.Event($"conference {mine.Name} was removed while this peer holds calls in it: its record is written again", "warning");
        }
        catch (Exception e) when (e is RecordExistsException or Config.ConfigValidationException or IOException or InvalidOperationException)
        {
            logs.Event($"conference {mine.Name}: its record was not written again: {e.Message}", "warning");
        }
    }
}
