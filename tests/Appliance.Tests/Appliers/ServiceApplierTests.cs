using Appliance.Daemon.Appliers;
using Appliance.Daemon.Hosting;
using Appliance.Hal;
using Appliance.Hal.HostServices;

namespace Appliance.Tests.Appliers;

/// <summary>
/// ssh.enabled and the snmp section applied: units through the (simulated) host services, snmpd's
/// files for real in the test's directory, UDP 161 in the (simulated) firewall.
/// </summary>
public sealed class ServiceApplierTests
{
    [Fact]
    public async Task Ssh_follows_ssh_enabled_once_an_admin_password_allows_stopping_it()
    {
        await using var f = NodeFixture.Start();
        var host = (SimulatedHostServices)f.Hal.HostServices;
        await f.Settled(f.Appliers.Ssh);
        Assert.True(host.IsRunning(SshApplier.Unit));

        await f.Set("admin.password", "console-pass-1");
        await f.Set("ssh.enabled", "false");
        var off = await f.Settled(f.Appliers.Ssh, s => s.Reason.Contains("stopped"));
        Assert.Equal(ApplierStatus.Applied, off.State);
        Assert.False(host.IsRunning(SshApplier.Unit));

        await f.Set("ssh.enabled", "true");
        await f.Settled(f.Appliers.Ssh, s => s.Reason.Contains("running"));
        Assert.True(host.IsRunning(SshApplier.Unit));
    }

    [Fact]
    public async Task Ssh_disabled_without_a_password_is_refused_by_the_api_and_sshd_keeps_running()
    {
        await using var f = NodeFixture.Start();
        var host = (SimulatedHostServices)f.Hal.HostServices;
        var error = await Assert.ThrowsAnyAsync<Exception>(() => f.Set("ssh.enabled", "false"));
        Assert.Contains("ssh.enabled", error.Message);
        Assert.Contains("admin.password is not set", error.Message);
        Assert.True(f.Node.Config.Read("ssh")["enabled"]!.GetValue<bool>());
        await f.Settled(f.Appliers.Ssh);
        Assert.True(host.IsRunning(SshApplier.Unit));
    }

    [Fact]
    public async Task Snmp_renders_its_files_restarts_snmpd_on_change_only_and_stops_it_when_disabled()
    {
        using var dir = new Support.TempDirectory();
        var files = new SnmpdFiles(Path.Combine(dir.Path, "snmp", "snmpd.conf"), Path.Combine(dir.Path, "status"));
        await using var f = NodeFixture.Start(d => HalSet.Simulated(d) with { Snmp = files });
        var host = (SimulatedHostServices)f.Hal.HostServices;
        var firewall = (SimulatedFirewall)f.Hal.Firewall;
        await f.Settled(f.Appliers.Snmp);
        Assert.False(File.Exists(files.ConfigFile));
        Assert.False(host.IsRunning(SnmpdFiles.Unit));

        await f.Set("system.hostname", "node-a");
        await f.Set("snmp.community", "n0c-read");
        await f.Set("snmp.contact", "NOC desk");
        await f.Set("snmp.enabled", "true");
        await f.Settled(f.Appliers.Snmp, s => s.Reason.StartsWith("on:"));
        var config = await File.ReadAllTextAsync(files.ConfigFile);
        Assert.Contains("rocommunity n0c-read default -V applianceView\n", config);
        Assert.Contains("sysName node-a\n", config);
        Assert.Contains("sysContact NOC desk\n", config);
        Assert.Equal(SnmpFiles.Private, File.GetUnixFileMode(files.ConfigFile));
        Assert.Equal("node-a\n", await File.ReadAllTextAsync(Path.Combine(files.StatusDir, "peer-name")));
        Assert.Equal("standalone\n", await File.ReadAllTextAsync(Path.Combine(files.StatusDir, "peer-state")));
        Assert.Equal(SnmpFiles.Public, File.GetUnixFileMode(Path.Combine(files.StatusDir, "alarms")));
        Assert.True(host.IsRunning(SnmpdFiles.Unit));
        await NodeFixture.Eventually(() => firewall.ActiveScript?.Contains("udp dport 161 accept") == true, () => $"{firewall.ActiveScript}");

        // A run that changes nothing (the drift timer, a daemon restart) starts, never restarts.
        var restarts = host.RestartCount(SnmpdFiles.Unit);
        f.Appliers.Snmp.Trigger();
        await f.Settled(f.Appliers.Snmp);
        Assert.Equal(restarts, host.RestartCount(SnmpdFiles.Unit));
        await f.Set("snmp.location", "Rack 4");
        await NodeFixture.Eventually(() => host.RestartCount(SnmpdFiles.Unit) == restarts + 1, () => $"{f.Appliers.Snmp.Status}");
        Assert.Contains("sysLocation Rack 4\n", await File.ReadAllTextAsync(files.ConfigFile));

        await f.Set("snmp.enabled", "false");
        await f.Settled(f.Appliers.Snmp, s => s.Reason.StartsWith("off:"));
        Assert.False(File.Exists(files.ConfigFile));
        Assert.False(host.IsRunning(SnmpdFiles.Unit));
        await NodeFixture.Eventually(() => firewall.ActiveScript?.Contains("udp dport 161 drop") == true, () => $"{firewall.ActiveScript}");
    }

    [Fact]
    public async Task Snmp_without_managed_files_says_so_instead_of_claiming_it_applied()
    {
        await using var f = NodeFixture.Start();
        await f.Set("snmp.community", "n0c-read");
        await f.Set("snmp.enabled", "true");
        var status = await f.Settled(f.Appliers.Snmp, s => s.Reason.Contains("true"));
        Assert.Equal(ApplierStatus.Unavailable, status.State);
        Assert.Contains("not managed", status.Reason);
    }
}
