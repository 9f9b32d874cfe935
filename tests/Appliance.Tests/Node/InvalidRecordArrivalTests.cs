using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Hal;
using Appliance.Tests.Appliers;
using Appliance.Tests.Maintenance;
using Appliance.Tests.Support;

namespace Appliance.Tests.Node;

/// <summary>
/// Invalid values arriving the two ways values come from outside a peer's own API: from a peer that
/// holds the key (two in-process peers on real TLS sockets), and in a restored backup. Neither is
/// applied; both are logged and alarmed.
/// </summary>
public sealed class InvalidRecordArrivalTests
{
    private static async Task<(TestPeer A, TestPeer B)> FormAsync()
    {
        var port = Ports.Next();
        var (addressA, addressB) = (LoopbackAddresses.Next(), LoopbackAddresses.Next());
        var a = await TestPeer.StartAsync("PLANT-A", addressA, port);
        var b = await TestPeer.StartAsync("PLANT-B", addressB, port);
        foreach (var p in new[] { a, b })
        {
            await TestLicences.InstallFullAsync(async (cmd, args) => await p.CallAsync(cmd, args));
            await p.CallAsync("cluster.setKey", new JsonObject { ["key"] = "planted records test key" });
            await p.CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(addressA, addressB) });
        }
        await Ports.EventuallyAsync(() => Task.FromResult(a.Node.Cluster.Links.All(l => l.Active) && b.Node.Cluster.Links.All(l => l.Active)), "A and B active");
        return (a, b);
    }

    private static Applier Firewall(TestPeer p) => p.Node.Appliers.Firewall;
    private static SimulatedFirewall FirewallHal(TestPeer p) => (SimulatedFirewall)p.Node.Appliers.Context.Hal.Firewall;

    [Fact]
    public async Task A_peer_with_the_key_plants_a_firewall_set_and_the_receiver_neither_applies_it_nor_keeps_quiet()
    {
        var (a, b) = await FormAsync();
        await using var _ = a;
        await using var __ = b;
        await NodeFixture.Eventually(() => Firewall(b).Status.State == ApplierStatus.Applied, () => $"B firewall: {Firewall(b).Status}");
        var before = FirewallHal(b).ActiveScript;

        // A writes past its own API, as an attacker holding the key could; replication carries it to B.
        var planted = a.Node.Store.Write([new Mutation(Scopes.Cluster, FirewallWindow.ActiveSection, "", PlantedRecordTests.ActiveWithOverride())]).Changed[0];
        await NodeFixture.Eventually(() => b.Node.Store.Get(Scopes.Cluster, FirewallWindow.ActiveSection, "")?.Version == planted.Version,
            () => "B does not hold the planted record");
        var alarm = InvalidRecordAlarms.AlarmPrefix + $"cluster/{FirewallWindow.ActiveSection}/";
        await NodeFixture.Eventually(() => b.Node.Logs.Alarms.IsActive(alarm) && Firewall(b).Status.State == ApplierStatus.Failed,
            () => $"B alarms: {string.Join("; ", b.Node.Logs.Alarms.Active().Select(x => x.Id))}; firewall {Firewall(b).Status}");

        Assert.Equal(before, FirewallHal(b).ActiveScript);
        var text = b.Node.Logs.Alarms.Active().Single(x => x.Id == alarm).Text;
        Assert.Contains($"from peer {a.Options.Bind}", text); // named by the address B knows A by
        Assert.Contains("firewall-active.rules.ssh.description", text);
        Assert.Contains("contains U+202E", text);
        Assert.Contains(b.Node.Logs.Events.Read(), e => e.Level == "error" && e.Message.StartsWith($"invalid record firewall-active from peer {a.Options.Bind}", StringComparison.Ordinal));
        // Both peers hold the same records: recovery has nothing to pull again.
        var digest = (TestPeer p) => p.Node.Store.WithDigests(d => d.Collections()[$"{Scopes.Cluster}/{FirewallWindow.ActiveSection}"]);
        Assert.Equal(digest(a), digest(b));

        // A's operator activates a valid set: it replaces the planted one on both peers.
        await a.CallAsync("firewall.stage", new JsonObject { ["name"] = "web", ["priority"] = "10", ["protocol"] = "tcp", ["port"] = "443", ["action"] = "accept" });
        await a.CallAsync("firewall.activate", new JsonObject { ["seconds"] = "60" });
        await NodeFixture.Eventually(() => !b.Node.Logs.Alarms.IsActive(alarm) && FirewallHal(b).ActiveScript?.Contains("tcp dport 443 accept") == true,
            () => $"B: alarm {b.Node.Logs.Alarms.IsActive(alarm)}, firewall {Firewall(b).Status}");
        await NodeFixture.Eventually(() => !a.Node.Logs.Alarms.IsActive(alarm), () => "A keeps the alarm of its own planted record");
    }

    [Fact]
    public async Task A_restored_backup_holding_invalid_values_brings_them_back_unapplied_logged_and_alarmed()
    {
        await using var peer = await TestPeer.StartAsync("PLANT-R");
        var own = Scopes.Peer(peer.Node.Store.PeerId);
        // The backup is made of a store holding what only a crafted file could: values the model refuses.
        peer.Node.Store.Write([new Mutation(own, "dns", "", """{"servers":["0.0.0.0"]}"""),
            new Mutation(Scopes.Cluster, FirewallWindow.ActiveSection, "", PlantedRecordTests.ActiveWithOverride())]);
        var name = (await peer.CallAsync("backup.create"))["name"]!.GetValue<string>();
        await peer.SetAsync("dns.servers", "198.18.0.53");
        await peer.CallAsync("firewall.activate", new JsonObject { ["seconds"] = "60" });
        await peer.CallAsync("backup.restore", new JsonObject { ["name"] = name });
        await peer.RestartRequested.Task.WaitAsync(TestPeer.Timeout);
        await peer.RestartAsync();

        var dnsAlarm = InvalidRecordAlarms.AlarmPrefix + $"{own}/dns/";
        var firewallAlarm = InvalidRecordAlarms.AlarmPrefix + $"cluster/{FirewallWindow.ActiveSection}/";
        var hal = peer.Node.Appliers.Context.Hal;
        await NodeFixture.Eventually(() => peer.Node.Logs.Alarms.IsActive(dnsAlarm) && peer.Node.Logs.Alarms.IsActive(firewallAlarm)
                && peer.Node.Appliers.HostFiles.Status.State == ApplierStatus.Failed && Firewall(peer).Status.State == ApplierStatus.Failed,
            () => $"alarms: {string.Join("; ", peer.Node.Logs.Alarms.Active().Select(x => x.Id))}; host files {peer.Node.Appliers.HostFiles.Status}; firewall {Firewall(peer).Status}");

        Assert.Null(((SimulatedHostFiles)hal.HostFiles).ResolvConf); // nothing written rather than a resolver at 0.0.0.0
        Assert.Null(((SimulatedFirewall)hal.Firewall).ActiveScript);
        var events = peer.Node.Logs.Events.Read(null, 1000);
        Assert.Contains(events, e => e.Level == "error"
            && e.Message == "invalid record dns from this peer in the store at start: dns.servers: \"0.0.0.0\" is not a unicast IPv4 address; kept in the store, not applied");
        Assert.Contains(events, e => e.Message.StartsWith("invalid record firewall-active from this peer in the store at start: firewall-active.rules.ssh.description", StringComparison.Ordinal));

        await peer.SetAsync("dns.servers", "198.18.0.54");
        await NodeFixture.Eventually(() => !peer.Node.Logs.Alarms.IsActive(dnsAlarm) && ((SimulatedHostFiles)hal.HostFiles).ResolvConf?.Contains("198.18.0.54") == true,
            () => $"dns alarm {peer.Node.Logs.Alarms.IsActive(dnsAlarm)}, host files {peer.Node.Appliers.HostFiles.Status}");
    }
}
