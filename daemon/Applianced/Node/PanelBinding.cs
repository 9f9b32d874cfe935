using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Lcd;

namespace Appliance.Daemon.Node;

/// <summary>
/// The front panel's view of the peer. Changes go through the same model and validation as the
/// CLI, and are logged with channel "lcd"; network changes here open no confirm window (NetworkWindow):
/// the person at the panel cannot be locked out by them.
/// </summary>
internal static class PanelBinding
{
    private const string User = "panel";
    private const string Channel = "lcd";

    public static PanelModel Create(PeerNode node, Func<ConfigContext> context) => new()
    {
        Status = () => new PanelStatus(node.HostName, node.Config.LanAddress ?? "no address", node.ClusterSummary(), node.Logs.Alarms.Active().Count,
            Licensing.VendorKey.BuiltInIsTestKey, node.NetworkWindow.Left),
        GetIpv4 = () =>
        {
            var ipv4 = node.Config.Read("ipv4");
            return new PanelIpv4Settings(Text(ipv4, "address"), Text(ipv4, "mask"), Text(ipv4, "gateway"));
        },
        SetIpv4 = wanted => Change(node, "ipv4", current => ConfigOps.SetFields("ipv4", current, new Dictionary<string, IReadOnlyList<string>>
        {
            ["address"] = [wanted.Address],
            ["mask"] = [wanted.Mask],
            ["gateway"] = [wanted.Gateway],
        }, context())),
        GetSpeed = () => Text(node.Config.Read("ethernet"), "speed"),
        SetSpeed = speed => Change(node, "ethernet", current => ConfigOps.Set("ethernet", current, "speed", [speed], context())),
        Peers = () => node.Cluster.Links.Select(l => (l.HostName ?? l.Address, l.Status())).ToList(),
        Alarms = () => node.Logs.Alarms.Active().Select(a => a.Text).ToList(),
        Enabled = () => node.Config.Read("lcd")["enabled"]?.GetValue<bool>() ?? true,
        Restart = () => node.RequestRestart(),
    };

    /// <summary>A checked read-modify-write (ConfigStore.Checked): a change made meanwhile over SSH is neither undone nor missed.</summary>
    private static string? Change(PeerNode node, string section, Func<JsonObject, ConfigResult> change)
    {
        try
        {
            return node.Config.Checked(() =>
            {
                var current = node.Config.Read(section);
                node.Config.Change(section, null, current, change(current).Value, User, Channel, section);
                return (string?)null;
            });
        }
        catch (ConfigValidationException e)
        {
            return e.Error.Message;
        }
        catch (Store.StaleReadException)
        {
            return $"{section} kept changing elsewhere; try again";
        }
    }

    private static string Text(JsonObject o, string field) => o[field]?.GetValue<string>() ?? "";
}
