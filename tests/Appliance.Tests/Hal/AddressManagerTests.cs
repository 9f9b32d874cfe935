using System.Net;
using Appliance.Hal;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.Hal;

public sealed class AddressManagerTests(ITestOutputHelper output)
{
    private static InterfaceAddress A(string s) => InterfaceAddress.Parse(s);

    [RootFact]
    public async Task Reconcile_adds_and_removes_only_owned_addresses_in_a_namespace()
    {
        using var dir = new HalTempDir();
        using var ns = new TestNamespace();
        Host.Run("ip", "-n", ns.Name, "link", "add", "lan0", "type", "veth", "peer", "name", "lan1");
        Host.Run("ip", "-n", ns.Name, "link", "set", "lan0", "up");
        Host.Run("ip", "-n", ns.Name, "link", "set", "lan1", "up");
        Host.Run("ip", "-n", ns.Name, "addr", "add", "198.18.9.9/24", "dev", "lan0"); // foreign
        var mgr = new LinuxAddressManager(dir["owned.json"], ns.Name);

        var plan = new AddressPlan(A("198.18.1.1/24"), IPAddress.Parse("198.18.1.254"), [A("198.18.2.1/24"), A("198.18.3.1/24")]);
        var r = await mgr.ApplyAsync("lan0", plan).WaitAsync(Host.Unexpected);
        Assert.Equal(["198.18.1.1/24", "198.18.2.1/24", "198.18.3.1/24"], r.Added.Select(a => a.ToString()));
        Assert.Empty(r.Removed);
        Assert.True(r.GatewayChanged);
        Assert.Equal(["198.18.1.1/24", "198.18.2.1/24", "198.18.3.1/24", "198.18.9.9/24"], Host.Addresses(ns.Name, "lan0").Order());
        Assert.Contains("\"gateway\":\"198.18.1.254\"", Host.Run("ip", "-n", ns.Name, "-j", "route", "show", "default"));
        Assert.Equal(IPAddress.Parse("198.18.1.254"), await mgr.ReadGatewayAsync("lan0").WaitAsync(Host.Unexpected));

        // Same plan again changes nothing.
        Assert.True((await mgr.ApplyAsync("lan0", plan).WaitAsync(Host.Unexpected)).Unchanged);

        // Drop one additional address; the foreign one stays.
        r = await mgr.ApplyAsync("lan0", plan with { Additional = [A("198.18.2.1/24")] }).WaitAsync(Host.Unexpected);
        Assert.Equal(["198.18.3.1/24"], r.Removed.Select(a => a.ToString()));
        Assert.Equal(["198.18.1.1/24", "198.18.2.1/24", "198.18.9.9/24"], Host.Addresses(ns.Name, "lan0").Order());

        // A foreign address that was desired for a while is still not ours to remove.
        await mgr.ApplyAsync("lan0", plan with { Additional = [A("198.18.2.1/24"), A("198.18.9.9/24")] }).WaitAsync(Host.Unexpected);
        r = await mgr.ApplyAsync("lan0", plan with { Additional = [], Gateway = null }).WaitAsync(Host.Unexpected);
        Assert.Equal(["198.18.2.1/24"], r.Removed.Select(a => a.ToString()));
        Assert.True(r.GatewayChanged);
        Assert.Equal(["198.18.1.1/24", "198.18.9.9/24"], Host.Addresses(ns.Name, "lan0").Order());
        Assert.DoesNotContain("198.18.1.254", Host.Run("ip", "-n", ns.Name, "-j", "route", "show", "default"));

        // Ownership survives a new manager (a daemon restart) through the state file.
        var again = new LinuxAddressManager(dir["owned.json"], ns.Name);
        r = await again.ApplyAsync("lan0", new AddressPlan(A("198.18.4.1/24"), null, [])).WaitAsync(Host.Unexpected);
        Assert.Equal(["198.18.1.1/24"], r.Removed.Select(a => a.ToString()));
        Assert.Equal(["198.18.4.1/24", "198.18.9.9/24"], Host.Addresses(ns.Name, "lan0").Order());
    }

    [RootFact]
    public async Task Failing_ip_command_names_the_command_and_error()
    {
        using var dir = new HalTempDir();
        using var ns = new TestNamespace();
        var mgr = new LinuxAddressManager(dir["owned.json"], ns.Name);
        var e = await Assert.ThrowsAsync<HostCommandException>(() =>
            mgr.ApplyAsync("nosuch0", new AddressPlan(A("198.18.1.1/24"), null, [])).WaitAsync(Host.Unexpected));
        output.WriteLine(e.Message);
        Assert.Contains("nosuch0", e.Message);
    }

    [Fact]
    public void Address_parsing_rejects_bad_input_clearly()
    {
        Assert.Equal("198.18.0.1/24", A("198.18.0.1/24").ToString());
        Assert.Equal(A("10.1.2.3/20"), InterfaceAddress.FromMask(IPAddress.Parse("10.1.2.3"), IPAddress.Parse("255.255.240.0")));
        foreach (var bad in new[] { "198.18.0.1", "198.18.0.1/33", "fd00::1/64", "198.18/24", "x/24" })
            Assert.Contains($"'{bad}'", Assert.Throws<FormatException>(() => A(bad)).Message);
        Assert.Throws<FormatException>(() => InterfaceAddress.FromMask(IPAddress.Parse("10.0.0.1"), IPAddress.Parse("255.0.255.0")));
    }

    [Fact]
    public async Task Corrupt_state_file_is_reported_with_its_path()
    {
        using var dir = new HalTempDir();
        await File.WriteAllTextAsync(dir["owned.json"], "{not json");
        var mgr = new LinuxAddressManager(dir["owned.json"], "applt-unused");
        // The state is read before any change, so nothing runs against the (missing) namespace.
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => mgr.ApplyAsync("lan0", new AddressPlan(null, null, [])).WaitAsync(Host.Unexpected));
        output.WriteLine(e.Message);
        Assert.Contains(dir["owned.json"], e.Message);
    }

    [Fact]
    public async Task Simulated_manager_follows_the_same_ownership_rule()
    {
        var mgr = new SimulatedAddressManager();
        mgr.AddForeign("eth0", A("198.18.9.9/24"));
        await mgr.ApplyAsync("eth0", new AddressPlan(A("198.18.1.1/24"), null, [A("198.18.2.1/24"), A("198.18.9.9/24")]));
        var r = await mgr.ApplyAsync("eth0", new AddressPlan(A("198.18.1.1/24"), null, []));
        Assert.Equal([A("198.18.2.1/24")], r.Removed);
        Assert.Equal([A("198.18.9.9/24"), A("198.18.1.1/24")], await mgr.ReadAsync("eth0"));
    }
}
