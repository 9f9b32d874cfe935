using Appliance.Daemon.Bridges;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Conferencing;

/// <summary>
/// What <see cref="Placement.Decide"/> reads, taken from this peer's state: the configuration, every
/// peer's view of every bridge (the watcher's live one for this peer, the shared bridge-status records
/// for the others), the live conferences (R8) and the cluster's licence capacity (R14).
/// </summary>
public static class PlacementInputs
{
    public static PlacementRequest For(string alias, ConfigStore config, BridgeWatcher bridges, LicenceCapacity licences)
    {
        var lookup = config.Lookup();
        var health = lookup.Items("bridges")
            .Select(b => Config.RuleContext.Text(b, Config.SectionDef.NameField))
            .OfType<string>()
            .SelectMany(bridges.Views)
            .ToList();
        var live = LiveConferences.Read(config, lookup);
        return new PlacementRequest(alias, config.Store.PeerId, ConferencingConfig.From(lookup), health, live, licences);
    }
}
