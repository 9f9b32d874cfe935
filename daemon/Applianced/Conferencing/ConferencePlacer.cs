using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Conferencing;

/// <summary>
/// The one placement path of this peer: <see cref="Decide"/> is what `conferences place` shows,
/// <see cref="PlaceAsync"/> what the B2BUA does with a call (the same decision, then the conference
/// created on its bridge and its status record written as new, CONFERENCING.md step 4).
/// </summary>
public sealed partial class ConferencePlacer(ConfigStore config, Func<BridgeWatcher> bridges, Func<LicenceCapacity> licences, TimeProvider time)
{
    /// <summary>Decisions one call may go through: a create per bridge that failed, a lost write, a wait for another create.</summary>
    private const int MaxRounds = 16;

    /// <summary>The creates under way on this peer, by conference name: a second first call waits for the first's, then joins it.</summary>
    private readonly Dictionary<string, Task> _creating = new(StringComparer.Ordinal);

    public PlacementDecision Decide(string alias) => Decide(alias, new Dictionary<string, string>());

    private PlacementDecision Decide(string alias, IReadOnlyDictionary<string, string> failed) =>
        Placement.Decide(PlacementInputs.For(alias, config, bridges(), licences()) with { Failed = failed });

    /// <summary>
    /// Decides; a Create is carried out (<see cref="CreateAsync"/>). Simultaneous first calls of one
    /// conference on this peer make one create: the others wait for it and decide again, now joining.
    /// A bridge that fails the create is left out and the next usable bridge of the service preference
    /// tried at once; when none is left the refusal names each bridge and why.
    /// </summary>
    public Task<PlacementDecision> PlaceAsync(string alias, CancellationToken ct) => PlaceAsync(alias, new CallPlacement(), ct);

    /// <summary>
    /// <see cref="PlaceAsync(string, CancellationToken)"/> for a call placed again in the same INVITE:
    /// <paramref name="placement"/>'s failed bridges are left out, and a join of the conference its
    /// bridge no longer has (<see cref="CallPlacement.Gone"/>) creates it there anew.
    /// </summary>
    public async Task<PlacementDecision> PlaceAsync(string alias, CallPlacement placement, CancellationToken ct)
    {
        var failed = placement.Failed;
        for (var round = 0; ; round++)
        {
            var decision = Decide(alias, failed);
            if (decision.Outcome == PlacementOutcome.Join && placement.Gone is { } gone && gone == (decision.Conference, decision.Bridge))
            {
                // Destroyed on the bridge at the end of its linger as this call came: made again there (the record may still name it).
                placement.Gone = null;
                decision = decision with { Outcome = PlacementOutcome.Create, Reason = $"{decision.Reason}; bridge {gone.Bridge} no longer had it: created anew" };
            }
            if (decision.Outcome != PlacementOutcome.Create) return decision;
            if (round == MaxRounds) return Refused(decision, $"conference {decision.Conference}'s placement did not settle after {MaxRounds} rounds");
            var name = decision.Conference!;
            Task? other;
            TaskCompletionSource? mine = null;
            lock (_creating)
            {
                if (!_creating.TryGetValue(name, out other))
                    _creating[name] = (mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            if (other is not null)
            {
                await other.WaitAsync(ct);
                continue;
            }
            try
            {
                if (await CreateAsync(decision, failed, ct) is { } done) return done;
            }
            finally
            {
                lock (_creating) _creating.Remove(name);
                mine!.SetResult();
            }
        }
    }

    /// <summary>
    /// conference.create on the decision's bridge (a bridge that holds the name already hosts it: that
    /// is the conference), then the record written with <see cref="Mutation.MustBeNew"/> (overwritten when
    /// the decision <see cref="PlacementDecision.Replaces"/> a stranded one): the decision
    /// (placed) or a refusal. Null when the call is to be decided again: the bridge failed (it is added
    /// to <paramref name="failed"/> with why), or another peer's record of the name got there first (now
    /// a join). The conference made here is destroyed again only when that record names another bridge:
    /// on the same bridge it is the one conference of that name, which the other peer's calls join.
    /// </summary>
    private async Task<PlacementDecision?> CreateAsync(PlacementDecision decision, Dictionary<string, string> failed, CancellationToken ct)
    {
        var (name, bridge) = (decision.Conference!, decision.Bridge!);
        if (bridges().Client(bridge) is not { } client)
        {
            failed[bridge] = "not configured on this peer";
            return null;
        }
        var made = true;
        try
        {
            var max = ConferencingConfig.From(config.Lookup()).Templates.GetValueOrDefault(decision.Template!)?.MaxParticipants;
            await client.CreateConferenceAsync(name, max, ct, ConferenceMark.Of(config));
        }
        catch (BridgeCallException e) when (e.FaultCode == BridgeFaults.DuplicateConference)
        {
            made = false; // the bridge hosts one of that name already: the call joins it
        }
        catch (BridgeCallException e)
        {
            failed[bridge] = $"conference.create failed: {e.Message}";
            return null;
        }
        var record = new LiveConference(name, bridge, decision.Template!, 0, time.GetUtcNow(), config.Store.PeerId).ToItem();
        try
        {
            var value = ConfigOps.Validate("conferences", record).Value;
            await config.Store.WriteAsync([new Mutation(Scopes.Cluster, "conferences", name, value.ToJsonString()) { MustBeNew = !decision.Replaces }]);
            return decision;
        }
        catch (RecordExistsException)
        {
            if (made && StoredBridge(name) is { } stored && stored != bridge) await DestroyQuietlyAsync(client, name, ct);
            return null;
        }
        catch (ConfigValidationException e)
        {
            return Refused(decision, $"conference {name}'s status record is not valid: {e.Message}");
        }
    }

    private string? StoredBridge(string name) =>
        config.Store.Get(Scopes.Cluster, "conferences", name)?.Value is { } json && JsonNode.Parse(json) is JsonObject item
            ? LiveConference.From(item)?.Bridge
            : null;

    private static async Task DestroyQuietlyAsync(BridgeClient client, string name, CancellationToken ct)
    {
        try { await client.DestroyConferenceAsync(name, ct); }
        catch (BridgeCallException) { } // left for the watcher's clean-up of conferences without a record
    }

    private static PlacementDecision Refused(PlacementDecision decision, string reason) =>
        decision with { Outcome = PlacementOutcome.Unavailable, Reason = reason };
}
