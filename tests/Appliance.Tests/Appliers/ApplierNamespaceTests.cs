using System.Text.Json.Nodes;
using Appliance.Hal;
using Appliance.Tests.Hal;
using Appliance.Tests.Harness;
using Appliance.Tests.HostServices;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Appliers;

/// <summary>
/// The real daemon with <c>--hal linux</c> inside a network namespace: addresses, nftables,
/// the accept window across restarts, link speed on veth, and host services over a private D-Bus.
/// </summary>
public sealed class ApplierNamespaceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static DaemonProcess Daemon(ITestOutputHelper output, TempDirectory dir, string ns, Dictionary<string, string>? env = null) =>
        new(dir["data"], dir["api.sock"], extraArgs:
            ["--interface", LanNamespaces.Interface, "--resolv-conf", dir["resolv.conf"], "--timesyncd-conf", dir["timesyncd.conf"]],
            environment: env ?? new() { ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + dir["no-bus.sock"] })
        {
            NetworkNamespace = ns, Hal = "linux", User = "admin", Log = output.WriteLine,
        };

    private static Task Eventually(Func<bool> condition, Func<string> describe) =>
        NodeFixture.Eventually(condition, describe, Timeout);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"condition not met in time: {describe()}");
            await Task.Delay(100);
        }
    }

    [RootFact]
    public async Task Additional_addresses_follow_the_store_and_foreign_ones_stay()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        Host.Run("ip", "-n", lan.Appliance.Name, "addr", "add", "198.18.7.99/24", "dev", LanNamespaces.Interface);
        await using var d = Daemon(output, dir, lan.Appliance.Name);
        await d.StartAsync();
        await d.Set("ipv4.address", LanNamespaces.Own);
        await d.Set("ipv4.mask", "255.255.255.0");
        await d.Set("ipv4.additional", "198.18.7.10", "198.18.7.11");
        await Eventually(() => lan.Addresses.Contains("198.18.7.10/24") && lan.Addresses.Contains("198.18.7.11/24"), () => string.Join(" ", lan.Addresses));
        await d.Set("ipv4.additional", "198.18.7.12");
        await Eventually(() => lan.Addresses.Contains("198.18.7.12/24") && !lan.Addresses.Contains("198.18.7.10/24") && !lan.Addresses.Contains("198.18.7.11/24"),
            () => string.Join(" ", lan.Addresses));
        Assert.Contains("198.18.7.99/24", lan.Addresses);
        Assert.Contains(LanNamespaces.Own + "/24", lan.Addresses);
        Assert.Equal("applied", (await d.ApplierAsync("addresses"))["state"]!.GetValue<string>());

        // DNS and NTP files land where the options say.
        await d.Set("dns.servers", "198.18.7.53");
        await Eventually(() => File.Exists(dir["resolv.conf"]) && File.ReadAllText(dir["resolv.conf"]).Contains("nameserver 198.18.7.53"), () => "resolv.conf not written");
        Assert.True(File.Exists(dir["timesyncd.conf"]));
    }

    [RootFact]
    public async Task Firewall_matches_the_store_and_only_peers_reach_4372_and_an_unaccepted_window_rolls_back_across_restarts()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        await using var d = Daemon(output, dir, lan.Appliance.Name);
        await d.StartAsync();
        await d.ClusterWithThePeerAsync();
        await d.Api("firewall.stage", new JsonObject
        {
            ["name"] = "ssh", ["priority"] = "10", ["source"] = "198.18.7.0/24", ["protocol"] = "tcp", ["port"] = "22", ["action"] = "accept",
        });
        await d.Api("firewall.activate", new JsonObject { ["seconds"] = "30" });
        await d.Api("firewall.accept");
        var ssh = new FirewallRule(10, FirewallSource.Parse("198.18.7.0/24"), FirewallProtocol.Tcp, 22, FirewallAction.Accept);
        var accepted = new FirewallRuleset([ssh], [System.Net.IPAddress.Parse(LanNamespaces.Own), System.Net.IPAddress.Parse(LanNamespaces.Peer)]);
        await Eventually(() => accepted.SameAs(Running(lan)), () => Describe(Running(lan)));

        await Eventually(() => lan.CanConnect(LanNamespaces.Peer, 4372), () => "a peer cannot connect to 4372");
        Assert.False(lan.CanConnect(LanNamespaces.Stranger, 4372), "a stranger reached 4372");

        // Not accepted, then the daemon is killed: the new process rolls back when the window closes.
        await d.Api("firewall.stage", new JsonObject { ["name"] = "discard", ["priority"] = "5", ["protocol"] = "tcp", ["port"] = "9", ["action"] = "drop" });
        await d.Api("firewall.activate", new JsonObject { ["seconds"] = "4" });
        await Eventually(() => Running(lan)?.OperatorRules.Count == 2, () => Describe(Running(lan)));
        d.Kill();
        await d.StartAsync();
        Assert.Equal(2, Running(lan)?.OperatorRules.Count);
        await Eventually(() => accepted.SameAs(Running(lan)), () => Describe(Running(lan)));

        // Again, with the restart command in between.
        await d.Api("firewall.activate", new JsonObject { ["seconds"] = "4" });
        await Eventually(() => Running(lan)?.OperatorRules.Count == 2, () => Describe(Running(lan)));
        await d.Api("restart");
        await Task.Delay(500);
        await d.WaitReadyAsync();
        await Eventually(() => accepted.SameAs(Running(lan)), () => Describe(Running(lan)));
        Assert.Equal("none", (await d.Api("firewall.show"))["window"]!.GetValue<string>());
    }

    private static FirewallRuleset? Running(LanNamespaces lan) =>
        NftJsonReader.Parse(lan.Appliance.Exec("nft", "-j", "list", "ruleset"))?.Ruleset;

    private static string Describe(FirewallRuleset? r) =>
        r is null ? "no appliance table" : $"rules: {string.Join("; ", r.OrderedRules)}; peers: {string.Join(", ", r.ClusterPeers)}";

    [RootFact]
    public async Task A_speed_veth_refuses_raises_the_alarm_and_the_daemon_keeps_running()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        await using var d = Daemon(output, dir, lan.Appliance.Name);
        await d.StartAsync();
        await EventuallyAsync(async () => (await d.ApplierAsync("ethernet"))["state"]!.GetValue<string>() == "applied", () => "auto not applied");
        await d.Set("ethernet.speed", "100full");
        await EventuallyAsync(async () => (await d.ApplierAsync("ethernet"))["state"]!.GetValue<string>() == "failed", () => "no failure");
        var alarms = (await d.Api("alarms"))["alarms"]!.AsArray();
        Assert.Contains(alarms, a => a!["text"]!.GetValue<string>().StartsWith("Ethernet speed not applied") && a["lowered"] is null);
        // No system bus here: the host-services applier says so instead of failing.
        Assert.Equal("unavailable", (await d.ApplierAsync("host-services"))["state"]!.GetValue<string>());
        await d.Set("ethernet.speed", "auto");
        await EventuallyAsync(async () => (await d.ApplierAsync("ethernet"))["state"]!.GetValue<string>() == "applied", () => "auto not applied again");
    }

    [RootFact]
    public async Task Host_services_over_dbus_set_hostname_and_zone_and_ntp_sync_drives_the_alarm()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        await using var bus = await PrivateDBusDaemon.StartAsync(dir.Path, Timeout);
        using var fake = await FakeHostBus.StartAsync(bus.Address, Timeout);
        await using var d = Daemon(output, dir, lan.Appliance.Name, new() { ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.SocketAddress });
        await d.StartAsync();
        await d.Set("system.hostname", "peer-x");
        await d.Set("time.zone", "Europe/Berlin");
        await Eventually(() => fake.Calls.Contains("hostname1 SetStaticHostname peer-x False") && fake.Calls.Contains("timedate1 SetTimezone Europe/Berlin False"),
            () => string.Join(" | ", fake.Calls));
        Assert.Contains(fake.Calls, c => c.StartsWith("systemd1 RestartUnit systemd-timesyncd.service"));
        await EventuallyAsync(async () => await NtpAlarmActive(d), () => "NTP alarm not raised");
        fake.SetNtpSynchronizedAndSignal(true);
        await EventuallyAsync(async () => !await NtpAlarmActive(d), () => "NTP alarm not lowered");
        Assert.Equal("applied", (await d.ApplierAsync("host-services"))["state"]!.GetValue<string>());
    }

    private static async Task<bool> NtpAlarmActive(DaemonProcess d) =>
        (await d.Api("alarms"))["alarms"]!.AsArray().Any(a => a!["id"]!.GetValue<string>() == "ntp-unsynchronized" && a["lowered"] is null);
}

/// <summary>The applier states the namespace tests wait for.</summary>
internal static class ApplierStatusCalls
{
    public static async Task<JsonObject> ApplierAsync(this DaemonProcess d, string name) =>
        (JsonObject)(await d.Api("status"))["appliers"]!.AsArray().First(a => a!["name"]!.GetValue<string>() == name)!;

    /// <summary>The appliance side's own address, a cluster key and licence, and the peers: itself and the client side's peer address.</summary>
    public static async Task ClusterWithThePeerAsync(this DaemonProcess d)
    {
        await d.Set("ipv4.address", LanNamespaces.Own);
        await d.Set("ipv4.mask", "255.255.255.0");
        await d.Api("cluster.setKey", new JsonObject { ["key"] = "a-long-test-cluster-key" });
        await TestLicences.InstallFullAsync((c, a) => d.Api(c, a));
        await d.Api("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(LanNamespaces.Own, LanNamespaces.Peer) });
    }
}
