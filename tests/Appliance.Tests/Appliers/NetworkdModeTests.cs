using Appliance.Tests.Hal;
using Appliance.Tests.HostServices;
using Appliance.Tests.Support;
using Xunit.Abstractions;

using Appliance.Tests.Harness;

namespace Appliance.Tests.Appliers;

/// <summary>
/// The real daemon with <c>--networkd-dir</c> in a namespace, a private bus with the fake network1:
/// the peer's ipv4 settings become networkd's file and D-Bus calls, and the daemon itself adds no
/// address to the link any more (networkd is its one owner).
/// </summary>
public sealed class NetworkdModeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [RootFact]
    public async Task Ipv4_settings_become_the_networkd_file_and_a_reconfigure_of_the_lan_link()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        await using var bus = await PrivateDBusDaemon.StartAsync(dir.Path, Timeout);
        using var networkd = await FakeNetworkd.StartAsync(bus.Address, Timeout);
        var file = Path.Combine(dir["network"], "05-appliance-lan0.network");
        var index = lan.Appliance.Exec("cat", $"/sys/class/net/{LanNamespaces.Interface}/ifindex").Trim();
        await using var d = new DaemonProcess(dir["data"], dir["api.sock"], extraArgs:
            ["--interface", LanNamespaces.Interface, "--resolv-conf", dir["resolv.conf"], "--timesyncd-conf", dir["timesyncd.conf"],
             "--networkd-dir", dir["network"]],
            environment: new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.SocketAddress })
        {
            NetworkNamespace = lan.Appliance.Name, Hal = "linux", User = "admin", Log = output.WriteLine,
        };
        await d.StartAsync();
        await d.Set("ipv4.address", LanNamespaces.Own);
        await d.Set("ipv4.mask", "255.255.255.0");
        await d.Set("ipv4.additional", "198.18.7.10");
        await NodeFixture.Eventually(() => File.Exists(file) && File.ReadAllText(file).Contains("Address=198.18.7.10/24"),
            () => File.Exists(file) ? File.ReadAllText(file) : "no file", Timeout);
        Assert.Contains($"Address={LanNamespaces.Own}/24\n", await File.ReadAllTextAsync(file));
        await NodeFixture.Eventually(() => networkd.Calls.Count >= 2 && networkd.Calls[^1] == $"network1 ReconfigureLink {index}",
            () => string.Join(" | ", networkd.Calls), Timeout);
        Assert.Equal("network1 Reload", networkd.Calls[^2]);
        // The daemon never adds the address itself: until networkd does, the link does not have it.
        Assert.DoesNotContain("198.18.7.10/24", lan.Addresses);
    }
}
