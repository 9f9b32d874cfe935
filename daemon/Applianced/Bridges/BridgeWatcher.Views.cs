using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Bridges;

public sealed partial class BridgeWatcher
{
    /// <summary>A peer's view that cannot be told: it has shared none yet, or what it shared is not valid.</summary>
    public const string Unknown = "unknown";

    /// <summary>
    /// Every peer's view of a bridge: this peer's live one first, then each other peer's shared
    /// bridge-status record (as of its last change), checked like any record from a peer. Placement
    /// asks this to know from which peers a bridge is usable.
    /// </summary>
    public IReadOnlyList<(string PeerId, BridgeHealth Health)> Views(string bridge)
    {
        var own = _config.Store.PeerId;
        var views = new List<(string, BridgeHealth)> { (own, Get(bridge) ?? Probing(bridge)) };
        foreach (var scope in _config.Store.PeerScopes())
        {
            if (Scopes.IsPeer(scope, out var peerId) && peerId != own)
                views.Add((peerId, FromRecord(bridge, _config.Item(ConfigSchema.BridgeStatus, bridge, peerId))));
        }
        return views;
    }

    /// <summary>This peer's own record of a bridge as a view, when it holds a valid one (from before a restart).</summary>
    private BridgeHealth? Stored(string bridge) =>
        _config.Item(ConfigSchema.BridgeStatus, bridge) is { } record && FromRecord(bridge, record) is { State: not Unknown } health ? health : null;

    internal static BridgeHealth FromRecord(string bridge, JsonObject? stored)
    {
        if (stored is null)
            return new BridgeHealth(bridge, Unknown, "no status from this peer yet", null, null, null, DateTimeOffset.MinValue);
        var (value, error) = RecordCheck.Model(() => ConfigOps.Validate(ConfigSchema.BridgeStatus, stored).Value, $"{ConfigSchema.BridgeStatus}.{bridge}");
        if (value is null)
            return new BridgeHealth(bridge, Unknown, $"its status record is not valid: {error!.Message}", null, null, null, DateTimeOffset.MinValue);
        return new BridgeHealth(bridge, RuleContext.Text(value, "state")!, RuleContext.Text(value, "reason") ?? "",
            Int(value, "inUse"), Int(value, "max"), Time(value, "lastSeen"), Time(value, "since") ?? DateTimeOffset.MinValue);
    }

    private static int? Int(JsonObject value, string field) => value[field] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    private static DateTimeOffset? Time(JsonObject value, string field) =>
        RuleContext.Text(value, field) is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;
}
