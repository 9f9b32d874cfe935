using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Hosting;
using Appliance.Hal;
using Appliance.Hal.HostServices;

namespace Appliance.Tests.Appliers;

/// <summary>Appliers against the simulated HAL: the store changes, the simulated host follows.</summary>
public sealed class ApplierTests
{
    [Fact]
    public async Task Ethernet_speed_follows_the_store()
    {
        await using var f = NodeFixture.Start();
        var link = (SimulatedLinkSettings)f.Hal.Link;
        await f.Settled(f.Appliers.Link);
        await f.Set("ethernet.speed", "100full");
        await NodeFixture.Eventually(() => link.SpeedOf("eth0") == LinkSpeed.Speed100Full, () => link.SpeedOf("eth0").ToString());
        var status = await f.Settled(f.Appliers.Link, s => s.Reason.StartsWith("100full"));
        Assert.Equal(ApplierStatus.Applied, status.State);
    }

    [Fact]
    public async Task Addresses_follow_the_store_and_foreign_ones_stay()
    {
        await using var f = NodeFixture.Start();
        var addresses = (SimulatedAddressManager)f.Hal.Addresses;
        var foreign = InterfaceAddress.Parse("198.18.9.9/24");
        addresses.AddForeign("eth0", foreign);
        await f.Call("config.set", new JsonObject { ["path"] = "ipv4.address", ["values"] = new JsonArray("198.18.0.10") });
        await f.Set("ipv4.mask", "255.255.255.0");
        await f.Set("ipv4.gateway", "198.18.0.1");
        await f.Set("ipv4.additional", "198.18.0.11", "198.19.5.5");
        string[] want = ["198.18.0.10/24", "198.18.0.11/24", "198.19.5.5/32", "198.18.9.9/24"];
        await NodeFixture.Eventually(() => Listed(addresses).Order().SequenceEqual(want.Order()), () => string.Join(" ", Listed(addresses)));
        Assert.Equal(IPAddress.Parse("198.18.0.1"), await addresses.ReadGatewayAsync("eth0"));

        await f.Set("ipv4.additional", "198.18.0.12");
        string[] after = ["198.18.0.10/24", "198.18.0.12/24", "198.18.9.9/24"];
        await NodeFixture.Eventually(() => Listed(addresses).Order().SequenceEqual(after.Order()), () => string.Join(" ", Listed(addresses)));
        Assert.Equal(ApplierStatus.Applied, (await f.Settled(f.Appliers.Addresses)).State);
    }

    private static List<string> Listed(SimulatedAddressManager m) => m.ReadAsync("eth0").Result.Select(a => a.ToString()).ToList();

    [Fact]
    public async Task A_failing_applier_reports_failed_raises_its_alarm_and_never_blocks_the_store()
    {
        using var dir = new Support.TempDirectory();
        // A real file where a directory should be: writing resolv.conf fails for real.
        File.WriteAllText(dir["blocker"], "");
        await using var f = NodeFixture.Start(d => Simulated(d) with
        {
            HostFiles = new LinuxHostFiles(Path.Combine(dir["blocker"], "resolv.conf"), Path.Combine(dir["blocker"], "ntp.conf")),
        });
        var status = await f.Settled(f.Appliers.HostFiles);
        Assert.Equal(ApplierStatus.Failed, status.State);
        Assert.True(f.Node.Logs.Alarms.IsActive(f.Appliers.HostFiles.AlarmId));
        Assert.Contains(f.Node.Logs.Alarms.Active(), a => a.Text.StartsWith("DNS/NTP settings not applied: "));
        await f.Set("dns.servers", "198.18.0.53").WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal("198.18.0.53", f.Node.Config.Read("dns")["servers"]![0]!.GetValue<string>());
        var statusJson = (await f.Call("status"))!["appliers"]!.AsArray();
        Assert.Equal(9, statusJson.Count);
        Assert.Contains(statusJson, a => a!["name"]!.GetValue<string>() == "host-files" && a["state"]!.GetValue<string>() is "failed" or "pending");
    }

    [Fact]
    public async Task Host_files_write_dns_and_ntp_and_the_no_dns_alarm_follows_the_servers()
    {
        await using var f = NodeFixture.Start();
        var files = (SimulatedHostFiles)f.Hal.HostFiles;
        var host = (SimulatedHostServices)f.Hal.HostServices;
        await f.Settled(f.Appliers.HostFiles);
        Assert.True(f.Node.Logs.Alarms.IsActive(HostFilesApplier.NoDnsAlarm));
        await f.Set("dns.servers", "198.18.0.53", "198.18.0.54");
        await f.Set("ntp.servers", "ntp.example.test", "198.18.0.123");
        await NodeFixture.Eventually(() => files.TimesyncdDropIn?.Contains("NTP=ntp.example.test 198.18.0.123") == true, () => files.TimesyncdDropIn ?? "(none)");
        Assert.Contains("nameserver 198.18.0.53\nnameserver 198.18.0.54\n", files.ResolvConf);
        await NodeFixture.Eventually(() => !f.Node.Logs.Alarms.IsActive(HostFilesApplier.NoDnsAlarm), () => "no-dns alarm still raised");
        Assert.True(host.RestartCount(HostFilesApplier.TimesyncdUnit) >= 2);
    }

    [Fact]
    public async Task Host_services_set_hostname_and_zone_and_ntp_sync_drives_the_alarm()
    {
        await using var f = NodeFixture.Start();
        var host = (SimulatedHostServices)f.Hal.HostServices;
        await f.Set("system.hostname", "peer-a");
        await f.Set("time.zone", "Europe/Berlin");
        await NodeFixture.Eventually(() => host.StaticHostname == "peer-a" && host.Timezone == "Europe/Berlin", () => $"{host.StaticHostname} {host.Timezone}");
        await f.Settled(f.Appliers.HostServices, s => s.Reason.Contains("Europe/Berlin")); // the watch is set up by then
        Assert.False(f.Node.Logs.Alarms.IsActive(HostServicesApplier.NtpAlarm));
        host.NtpSynchronized = false;
        Assert.True(f.Node.Logs.Alarms.IsActive(HostServicesApplier.NtpAlarm));
        Assert.Contains(f.Node.Logs.Alarms.Active(), a => a.Text == "NTP not synchronized");
        host.NtpSynchronized = true;
        Assert.False(f.Node.Logs.Alarms.IsActive(HostServicesApplier.NtpAlarm));
    }

    [Fact]
    public async Task Without_host_services_the_status_says_unavailable_instead_of_failing()
    {
        await using var f = NodeFixture.Start(d => Simulated(d) with { HostServices = new SimulatedHostServices { UnavailableReason = "no system bus at unix:path=/nowhere" } });
        var status = await f.Settled(f.Appliers.HostServices);
        Assert.Equal(ApplierStatus.Unavailable, status.State);
        Assert.Contains("no system bus", status.Reason);
        Assert.False(f.Node.Logs.Alarms.IsActive(f.Appliers.HostServices.AlarmId));
    }

    [Fact]
    public async Task Syslog_forwards_event_and_configuration_entries_as_rfc5424()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        await using var f = NodeFixture.Start();
        await f.Set("syslog.servers", $"127.0.0.1:{port}/udp");
        await f.Settled(f.Appliers.Syslog, s => s.Reason.StartsWith("forwarding"));
        f.Node.Logs.Event("hello from the test");
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + NodeFixture.Timeout;
        while (!seen.Any(m => m.Contains("hello from the test")))
        {
            var r = await listener.ReceiveAsync().WaitAsync(deadline - DateTime.UtcNow);
            seen.Add(Encoding.UTF8.GetString(r.Buffer));
        }
        var line = seen.First(m => m.Contains("hello from the test"));
        Assert.Matches(@"^<134>1 \d{4}-\d\d-\d\dT[^ ]+ appliance applianced \d+ event - ", line);
        await f.Set("dns.servers", "198.18.0.53");
        while (!seen.Any(m => m.Contains(" config - ") && m.Contains("dns.servers")))
        {
            var r = await listener.ReceiveAsync().WaitAsync(deadline - DateTime.UtcNow);
            seen.Add(Encoding.UTF8.GetString(r.Buffer));
        }
    }

    internal static HalSet Simulated(string dataDir) => HalSet.Simulated(dataDir);
}
