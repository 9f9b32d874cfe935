using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// bridges.status (`bridges status`): every bridge as every peer sees it (<see cref="BridgeWatcher.Views"/>):
/// this peer's live view first, then the others' shared records, as recent as their last change
/// (peerConnected says whether that peer is connected now, so a stale row can be told).
/// </summary>
internal sealed class BridgeCommands(BridgeWatcher watcher, ConfigStore config, Func<IReadOnlyList<PeerLink>> links)
{
    public void Register(ApiRouter router) => router.Add("bridges.status", r => Status(r.OptionalString("bridge")));

    private JsonObject Status(string? only)
    {
        var bridges = config.Lookup().Items("bridges").Select(i => RuleContext.Text(i, SectionDef.NameField)!).Order(StringComparer.Ordinal).ToList();
        if (only is not null)
        {
            bridges = bridges.Contains(only) ? [only]
                : throw new ApiException(ApiException.NotFound, $"no bridge '{TextRules.Escape(only)}' is configured; see config show bridges", "bridge", TextRules.Escape(only));
        }
        var own = config.Store.PeerId;
        var connected = links().Where(l => l.Active && l.PeerId is not null).Select(l => l.PeerId!).ToHashSet(StringComparer.Ordinal);
        var rows = new JsonArray();
        foreach (var bridge in bridges)
        {
            foreach (var (peerId, health) in watcher.Views(bridge).OrderBy(v => v.PeerId != own).ThenBy(v => HostOf(v.PeerId), StringComparer.Ordinal))
                rows.Add(Row(health, HostOf(peerId), peerId, peerId == own || connected.Contains(peerId)));
        }
        return new JsonObject { ["title"] = "bridge status", ["bridges"] = rows };
    }

    private string HostOf(string peerId) => config.Read("system", peerId)["hostname"]?.GetValue<string>() ?? peerId;

    private static JsonObject Row(BridgeHealth h, string host, string peerId, bool peerConnected) => new()
    {
        ["bridge"] = h.Bridge,
        ["peer"] = host,
        ["state"] = h.State,
        ["inUse"] = h.InUse,
        ["max"] = h.Max,
        ["lastSeen"] = h.LastSeen is { } seen ? ApiTime.Text(seen) : null,
        ["since"] = h.State == BridgeWatcher.Unknown ? null : ApiTime.Text(h.Since),
        ["reason"] = h.Reason,
        ["peerConnected"] = peerConnected,
        ["peerId"] = peerId,
    };
}
