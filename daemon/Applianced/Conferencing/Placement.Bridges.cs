using Appliance.Daemon.Bridges;

namespace Appliance.Daemon.Conferencing;

public static partial class Placement
{
    /// <summary>
    /// The preference's pools in order; in the first pool that has one, the usable bridge with the most
    /// free capacity (ties: the pool's order). A bridge in several pools is weighed at its first; one
    /// that failed this call's create already is left out. Also returns, for the refusal, what was
    /// wrong with each bridge tried.
    /// </summary>
    private static (string? Bridge, string Tried) ChooseBridge(PlacementRequest request, ServicePreference preference)
    {
        var tried = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var poolName in preference.Pools)
        {
            if (!request.Config.Pools.TryGetValue(poolName, out var pool))
            {
                tried.Add($"pool {poolName} is not configured");
                continue;
            }
            string? best = null;
            var bestFree = 0;
            foreach (var bridge in pool.Bridges.Where(seen.Add))
            {
                var health = Own(request, bridge);
                if (request.Failed.TryGetValue(bridge, out var failure))
                    tried.Add($"{bridge} {failure}");
                else if (health is not { Usable: true })
                    tried.Add($"{bridge} {Why(health)}");
                else if (health.Free <= 0)
                    tried.Add($"{bridge} full ({health.InUse} of {health.Max} in use)");
                else if (health.Free > bestFree)
                    (best, bestFree) = (bridge, health.Free);
            }
            if (best is not null)
                return (best, "");
        }
        return (null, tried.Count == 0 ? "its pools hold no bridge" : string.Join("; ", tried));
    }

    /// <summary>This peer's view of a bridge (the one that decides whether this peer can use it).</summary>
    private static BridgeHealth? Own(PlacementRequest request, string bridge) =>
        request.Bridges.FirstOrDefault(b => b.Health.Bridge == bridge && b.Peer == request.ThisPeer).Health;

    private static string Why(BridgeHealth? health) =>
        health is null ? "not yet seen by this peer"
            : health.Usable ? "usable"
            : $"down: {health.State}: {(health.Reason.Length > 0 ? health.Reason : "no reason given")}";
}
