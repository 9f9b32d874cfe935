using System.Text.Json.Nodes;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Conferencing;

/// <summary>
/// Applies the split rule as the store changes: remembers the conferences this peer placed (records it
/// wrote naming itself in placedBy) and, when a peer's write or recovery replaces one with another
/// placement or removes it, takes <see cref="ConferenceSplit.Settle"/>'s decision, logs it and raises
/// <see cref="Settled"/> for the part that holds the calls (the SIP front door moves them and destroys
/// the conference on its bridge). Level-triggered: it compares what is stored with what this peer
/// placed, so it does not depend on the store noticing the conflict.
/// </summary>
public sealed class SplitWatcher(Store.Store store, Action<string> warn)
{
    private const string Section = "conferences";
    private readonly Dictionary<string, LiveConference> _mine = new(StringComparer.Ordinal);

    /// <summary>
    /// This peer's answered calls in a conference (the B2BUA's, counted in its own
    /// conference-participants records, not in the conference record): they are the participants a
    /// lost placement moves, and what makes a removed record be written again.
    /// </summary>
    public Func<string, int>? HeldHere { get; set; }

    /// <summary>A placement of this peer lost to another, or was removed from under it.</summary>
    public event Action<LiveConference, SplitDecision>? Settled;

    public void Attach() => store.Committed += OnCommitted;

    public void Detach() => store.Committed -= OnCommitted;

    /// <summary>The conferences this peer placed that the store still holds as placed.</summary>
    public IReadOnlyList<LiveConference> Mine()
    {
        lock (_mine) return [.. _mine.Values];
    }

    private void OnCommitted(CommitInfo commit)
    {
        List<(LiveConference, SplitDecision)>? settled = null;
        lock (_mine)
        {
            foreach (var r in commit.Changed)
            {
                if (r.Scope != Scopes.Cluster || r.Section != Section) continue;
                var stored = Parse(r);
                if (!commit.Remote)
                {
                    // This peer's own write: a placement of its own starts or goes on; anything else it wrote ends its claim.
                    if (stored?.PlacedBy == store.PeerId) _mine[r.Key] = stored;
                    else _mine.Remove(r.Key);
                    continue;
                }
                if (!_mine.TryGetValue(r.Key, out var mine)) continue;
                mine = mine with { Participants = mine.Participants + (HeldHere?.Invoke(r.Key) ?? 0) };
                var decision = ConferenceSplit.Settle(mine, stored);
                if (decision.Action == SplitAction.Keep)
                {
                    _mine[r.Key] = stored!; // another peer's join updated the count
                    continue;
                }
                if (decision.Action != SplitAction.Rewrite) _mine.Remove(r.Key);
                (settled ??= []).Add((mine, decision));
            }
        }
        foreach (var (mine, decision) in settled ?? [])
        {
            warn(decision.Reason);
            Settled?.Invoke(mine, decision);
        }
    }

    private static LiveConference? Parse(StoredRecord r)
    {
        if (r.Value is null) return null;
        try
        {
            return JsonNode.Parse(r.Value) is JsonObject item ? LiveConference.From(item) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // an invalid record has its own alarm (InvalidRecordAlarms)
        }
    }
}
