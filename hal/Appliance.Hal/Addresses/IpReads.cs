using System.Net;
using System.Text.Json;

namespace Appliance.Hal;

/// <summary>What both address managers read from the kernel through <c>ip -j</c>: addresses, the default gateway, the interface index.</summary>
internal static class IpReads
{
    public static async Task<IReadOnlyList<InterfaceAddress>> AddressesAsync(string? ns, string ifName, CancellationToken ct)
    {
        LinuxLinkSettings.ValidateName(ifName);
        return ParseAddresses(await Ip(ns, ct, "-j", "addr", "show", "dev", ifName).ConfigureAwait(false));
    }

    public static async Task<IPAddress?> GatewayAsync(string? ns, string ifName, CancellationToken ct)
    {
        LinuxLinkSettings.ValidateName(ifName);
        var json = await Ip(ns, ct, "-j", "-4", "route", "show", "default", "dev", ifName).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        foreach (var r in doc.RootElement.EnumerateArray())
        {
            if (r.TryGetProperty("gateway", out var gw) && IPAddress.TryParse(gw.GetString(), out var a))
                return a;
        }
        return null;
    }

    /// <summary>The kernel's index of the interface (what networkd's D-Bus methods take).</summary>
    public static async Task<int> IndexAsync(string? ns, string ifName, CancellationToken ct)
    {
        LinuxLinkSettings.ValidateName(ifName);
        var json = await Ip(ns, ct, "-j", "link", "show", "dev", ifName).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(json);
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            if (link.TryGetProperty("ifindex", out var index) && index.TryGetInt32(out var value) && value > 0)
                return value;
        }
        throw new HostCommandException($"'ip link show dev {ifName}' gave no interface index");
    }

    internal static List<InterfaceAddress> ParseAddresses(string json)
    {
        var list = new List<InterfaceAddress>();
        using var doc = JsonDocument.Parse(json);
        foreach (var link in doc.RootElement.EnumerateArray())
        {
            if (!link.TryGetProperty("addr_info", out var infos))
                continue;
            foreach (var info in infos.EnumerateArray())
            {
                if (info.TryGetProperty("family", out var f) && f.GetString() == "inet"
                    && IPAddress.TryParse(info.GetProperty("local").GetString(), out var addr))
                    list.Add(new InterfaceAddress(addr, info.GetProperty("prefixlen").GetInt32()));
            }
        }
        return list;
    }

    public static Task<string> Ip(string? ns, CancellationToken ct, params string[] args) =>
        ProcessRunner.RunCheckedAsync("ip", NetworkNamespace.IpArgs(ns, args), ct);
}
