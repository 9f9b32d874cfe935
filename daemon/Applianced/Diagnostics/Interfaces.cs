using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Diagnostics;

/// <summary>diag.interfaces: this peer's network interfaces as the kernel has them (`show interfaces`).</summary>
public static class Interfaces
{
    public static JsonObject Describe() => new()
    {
        ["title"] = "interfaces",
        ["interfaces"] = new JsonArray([.. NetworkInterface.GetAllNetworkInterfaces().OrderBy(n => n.Name, StringComparer.Ordinal).Select(Row)]),
    };

    private static JsonNode Row(NetworkInterface n)
    {
        var props = n.GetIPProperties();
        var mac = n.GetPhysicalAddress().GetAddressBytes();
        return new JsonObject
        {
            ["name"] = n.Name,
            ["state"] = n.OperationalStatus.ToString().ToLowerInvariant(),
            ["mac"] = mac.Length == 0 ? null : string.Join(':', mac.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))),
            ["mtu"] = props.GetIPv4Properties() is { } v4 ? v4.Mtu : null,
            ["addresses"] = new JsonArray([.. props.UnicastAddresses
                .OrderBy(a => a.Address.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
                .Select(a => (JsonNode)$"{a.Address}/{a.PrefixLength}")]),
        };
    }
}
