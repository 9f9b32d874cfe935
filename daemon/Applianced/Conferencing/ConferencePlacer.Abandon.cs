using Appliance.Daemon.Bridges;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Conferencing;

public sealed partial class ConferencePlacer
{
    /// <summary>
    /// A conference this call created whose bridge then refused (or never answered) the call's leg B
    /// before any provisional (CONFERENCING.md, placement step 6): the failure is reported to the
    /// bridge watcher (status and alarm show it, and new conferences avoid the bridge a while), the
    /// bridge is added to the call's failed ones, and the empty conference goes again: its record when
    /// it is still this peer's placement with nobody counted in it, the conference on the bridge when
    /// the bridge lists nobody in it. The caller then decides again in the same INVITE.
    /// <paramref name="heldHere"/> says whether another call of this peer is in the conference.
    /// </summary>
    public async Task AbandonAsync(PlacementDecision created, string reason, CallPlacement placement, Func<string, bool> heldHere, CancellationToken ct)
    {
        var (name, bridge) = (created.Conference!, created.Bridge!);
        placement.Failed[bridge] = reason;
        var watcher = bridges();
        await watcher.ReportCallFailureAsync(bridge, reason);
        if (heldHere(name)) return;
        if (LiveConferences.Read(config).FirstOrDefault(c => c.Name == name) is { } record)
        {
            if (record.Bridge != bridge || record.PlacedBy != config.Store.PeerId || record.Participants > 0) return;
            await config.Store.WriteAsync([new Mutation(Scopes.Cluster, "conferences", name, null)]);
        }
        if (watcher.Client(bridge) is not { } client) return;
        try
        {
            if ((await client.EnumerateParticipantsAsync(name, ct)).Count == 0) await client.DestroyConferenceAsync(name, ct);
        }
        catch (BridgeCallException) { } // gone already, or left for the watcher's clean-up of conferences without a record
    }
}
