using System.Net;
using Appliance.Hal;
using Appliance.Hal.HostServices;
using Appliance.Tests.HostServices;
using Xunit.Abstractions;

using Appliance.Tests.Harness;

namespace Appliance.Tests.Hal;

/// <summary>
/// The networkd address manager against a real private dbus-daemon with a fake network1 on it, and
/// a real interface in a namespace (index 4242, so a wrong index cannot pass by chance). The fake
/// only records calls; where the test needs the link to look configured, it adds the addresses as
/// networkd would.
/// </summary>
public sealed class NetworkdAddressManagerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Index = 4242;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Reconfigured = ["network1 Reload", $"network1 ReconfigureLink {Index}"];
    private readonly HalTempDir _dir = new();
    private TestNamespace? _ns;
    private PrivateDBusDaemon? _bus;
    private FakeNetworkd? _networkd;
    private DBusHostServices? _client;

    private static InterfaceAddress A(string s) => InterfaceAddress.Parse(s);

    private string NetworkDir => _dir["network"];

    public async Task InitializeAsync()
    {
        if (!RootFactAttribute.IsRoot)
            return;
        _ns = new TestNamespace();
        Host.Run("ip", "-n", _ns.Name, "link", "add", "lan0", "index", Index.ToString(), "type", "veth", "peer", "name", "lan1");
        Host.Run("ip", "-n", _ns.Name, "link", "set", "lan0", "up");
        Host.Run("ip", "-n", _ns.Name, "link", "set", "lan1", "up");
        _bus = await PrivateDBusDaemon.StartAsync(_dir.Path, Timeout);
        _networkd = await FakeNetworkd.StartAsync(_bus.Address, Timeout);
        _client = new DBusHostServices(_bus.SocketAddress);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        _networkd?.Dispose();
        if (_bus is not null)
            await _bus.DisposeAsync();
        _ns?.Dispose();
        _dir.Dispose();
    }

    private NetworkdAddressManager Manager() => new(NetworkDir, _client!, _ns!.Name);

    [RootFact]
    public async Task A_static_plan_writes_the_file_then_reloads_and_reconfigures_that_link()
    {
        var mgr = Manager();
        var plan = new AddressPlan(A("198.18.1.1/24"), IPAddress.Parse("198.18.1.254"), [A("198.18.2.1/32")]);
        var r = await mgr.ApplyAsync("lan0", plan).WaitAsync(Timeout);

        Assert.Equal(Reconfigured, _networkd!.Calls);
        Assert.Equal(NetworkdFile.Render("lan0", plan), await File.ReadAllTextAsync(Path.Combine(NetworkDir, "05-appliance-lan0.network")));
        Assert.Equal(["198.18.1.1/24", "198.18.2.1/32"], r.Added.Select(a => a.ToString()));
        Assert.Empty(r.Removed);
        Assert.True(r.GatewayChanged);
        // No file of ours is ever left half-written beside it.
        Assert.Equal(["05-appliance-lan0.network"], Directory.GetFiles(NetworkDir).Select(Path.GetFileName));

        // networkd has not applied it (the fake does nothing), so the drift check asks again.
        await mgr.ApplyAsync("lan0", plan).WaitAsync(Timeout);
        Assert.Equal([.. Reconfigured, .. Reconfigured], _networkd.Calls);

        // Once the link has what the file says, nothing is asked of networkd.
        Host.Run("ip", "-n", _ns!.Name, "addr", "add", "198.18.1.1/24", "dev", "lan0");
        Host.Run("ip", "-n", _ns.Name, "addr", "add", "198.18.2.1/32", "dev", "lan0");
        Host.Run("ip", "-n", _ns.Name, "route", "add", "default", "via", "198.18.1.254", "dev", "lan0");
        Assert.True((await mgr.ApplyAsync("lan0", plan).WaitAsync(Timeout)).Unchanged);
        Assert.Equal(4, _networkd.Calls.Count);

        // A changed plan reports what goes away and reconfigures once more.
        r = await mgr.ApplyAsync("lan0", plan with { Additional = [], Gateway = null }).WaitAsync(Timeout);
        Assert.Equal(["198.18.2.1/32"], r.Removed.Select(a => a.ToString()));
        Assert.True(r.GatewayChanged);
        Assert.Equal(6, _networkd.Calls.Count);
        Assert.DoesNotContain("Gateway=", await File.ReadAllTextAsync(mgr.FilePath("lan0")));
    }

    [RootFact]
    public async Task No_address_removes_our_file_so_dhcp_or_the_command_line_applies_again()
    {
        var mgr = Manager();
        await mgr.ApplyAsync("lan0", new AddressPlan(A("198.18.1.1/24"), null, [])).WaitAsync(Timeout);
        Assert.True(File.Exists(mgr.FilePath("lan0")));

        await mgr.ApplyAsync("lan0", new AddressPlan(null, null, [])).WaitAsync(Timeout);
        Assert.False(File.Exists(mgr.FilePath("lan0")));
        Assert.Equal([.. Reconfigured, .. Reconfigured], _networkd!.Calls);

        // Nothing to own and no file: nothing to ask.
        Assert.True((await mgr.ApplyAsync("lan0", new AddressPlan(null, null, [])).WaitAsync(Timeout)).Unchanged);
        Assert.Equal(4, _networkd.Calls.Count);
    }

    [RootFact]
    public async Task Bad_input_or_a_missing_link_changes_nothing_and_calls_nobody()
    {
        var mgr = Manager();
        var bad = await Assert.ThrowsAsync<ArgumentException>(() =>
            mgr.ApplyAsync("lan0", new AddressPlan(A("0.0.0.0/24"), null, [])).WaitAsync(Timeout));
        Assert.Contains("0.0.0.0/24", bad.Message);
        var missing = await Assert.ThrowsAsync<HostCommandException>(() =>
            mgr.ApplyAsync("nosuch0", new AddressPlan(A("198.18.1.1/24"), null, [])).WaitAsync(Timeout));
        output.WriteLine(missing.Message);
        Assert.Contains("nosuch0", missing.Message);
        Assert.False(Directory.Exists(NetworkDir) && Directory.EnumerateFileSystemEntries(NetworkDir).Any());
        Assert.Empty(_networkd!.Calls);
    }

    [RootFact]
    public async Task Without_networkd_on_the_bus_the_call_fails_by_name_and_the_file_waits_for_its_start()
    {
        _networkd!.Dispose();
        var mgr = Manager();
        var e = await Assert.ThrowsAsync<HostServiceUnavailableException>(() =>
            mgr.ApplyAsync("lan0", new AddressPlan(A("198.18.1.1/24"), null, [])).WaitAsync(Timeout));
        output.WriteLine(e.Message);
        Assert.Contains("org.freedesktop.network1", e.Message);
        Assert.Contains("Address=198.18.1.1/24", await File.ReadAllTextAsync(mgr.FilePath("lan0")));
    }
}
