using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Appliance.Hal;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.Hal;

public sealed class FirewallNamespaceTests(ITestOutputHelper output)
{
    private static readonly FirewallRuleset First = new(
        [
            new FirewallRule(20, FirewallSource.Parse("198.18.0.0/24"), FirewallProtocol.Tcp, 22, FirewallAction.Accept),
            new FirewallRule(10, FirewallSource.Any, FirewallProtocol.Icmp, null, FirewallAction.Drop),
            new FirewallRule(30, FirewallSource.Parse("198.18.0.7"), FirewallProtocol.Udp, 53, FirewallAction.Reject),
            new FirewallRule(40, FirewallSource.Any, FirewallProtocol.Tcp, null, FirewallAction.Reject),
            new FirewallRule(50, FirewallSource.Any, FirewallProtocol.Udp, 10000, FirewallAction.Accept, LastPort: 20000),
        ],
        [IPAddress.Parse("198.18.0.2"), IPAddress.Parse("198.18.0.5")]);

    [RootFact]
    public async Task Apply_reads_back_and_reapply_replaces_the_table_atomically()
    {
        using var dir = new HalTempDir();
        using var ns = new TestNamespace();
        var fw = new LinuxFirewall(dir["appliance.nft"], ns.Name);
        Assert.Null(await fw.ReadBackAsync().WaitAsync(Host.Unexpected));

        await fw.ApplyAsync(First).WaitAsync(Host.Unexpected);
        var rules = RulesFromListRuleset(ns);
        Assert.Equal(1, rules.Tables);
        Assert.Equal(["cluster", "cluster", "cluster", "snmp", "base", "base", "operator priority 10", "operator priority 20", "operator priority 30", "operator priority 40", "operator priority 50", "sip", "sip", "sip-tls"],
            rules.Comments);
        Assert.Contains("\"set\":[\"198.18.0.2\",\"198.18.0.5\"]", rules.Json);
        Assert.Contains("{\"prefix\":{\"addr\":\"198.18.0.0\",\"len\":24}}", rules.Json);
        Assert.Contains("{\"range\":[10000,20000]}", rules.Json); // a port range is one rule, whatever its width
        var back = await fw.ReadBackAsync().WaitAsync(Host.Unexpected);
        Assert.NotNull(back);
        Assert.Empty(back.Unrecognized);
        Assert.True(First.SameAs(back.Ruleset), $"read back {string.Join("; ", back.Ruleset.OrderedRules)}");

        var second = new FirewallRuleset([new FirewallRule(1, FirewallSource.Any, FirewallProtocol.Udp, 53, FirewallAction.Accept)],
            [IPAddress.Parse("198.18.0.9")], FirewallAction.Drop, SnmpOpen: true);
        await fw.ApplyAsync(second).WaitAsync(Host.Unexpected);
        await fw.ApplyAsync(second).WaitAsync(Host.Unexpected);
        rules = RulesFromListRuleset(ns);
        Assert.Equal(1, rules.Tables);
        Assert.Equal(["cluster", "cluster", "cluster", "base", "base", "operator priority 1", "snmp", "sip", "sip", "sip-tls"], rules.Comments);
        Assert.True(second.SameAs((await fw.ReadBackAsync().WaitAsync(Host.Unexpected))!.Ruleset));
        Assert.Equal(NftRenderer.Render(second), await File.ReadAllTextAsync(dir["appliance.nft"]));

        // Restoring the previous rule set (what the daemon's accept window does) is another apply.
        await fw.ApplyAsync(First).WaitAsync(Host.Unexpected);
        Assert.True(First.SameAs((await fw.ReadBackAsync().WaitAsync(Host.Unexpected))!.Ruleset));

        await fw.RemoveAsync().WaitAsync(Host.Unexpected);
        Assert.Null(await fw.ReadBackAsync().WaitAsync(Host.Unexpected));
        Assert.False(File.Exists(dir["appliance.nft"]));
        await fw.RemoveAsync().WaitAsync(Host.Unexpected);
        Assert.Equal(0, RulesFromListRuleset(ns).Tables);
    }

    [RootFact]
    public async Task Failed_apply_names_the_command_and_leaves_no_script()
    {
        using var dir = new HalTempDir();
        var fw = new LinuxFirewall(dir["appliance.nft"], "applt-no-such-ns");
        var e = await Assert.ThrowsAsync<HostCommandException>(() => fw.ApplyAsync(First).WaitAsync(Host.Unexpected));
        output.WriteLine(e.Message);
        Assert.Contains("applt-no-such-ns", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [RootFact]
    public async Task A_rule_added_by_hand_is_reported_as_unrecognized()
    {
        using var dir = new HalTempDir();
        using var ns = new TestNamespace();
        var fw = new LinuxFirewall(dir["appliance.nft"], ns.Name);
        await fw.ApplyAsync(First).WaitAsync(Host.Unexpected);
        ns.Exec("nft", "add", "rule", "inet", "appliance", "input", "tcp", "dport", "8080", "accept");
        var back = await fw.ReadBackAsync().WaitAsync(Host.Unexpected);
        Assert.Single(back!.Unrecognized);
        Assert.True(First.SameAs(back.Ruleset));
    }

    [RootFact]
    public async Task Cluster_port_is_reachable_from_a_peer_and_dropped_from_anyone_else()
    {
        using var dir = new HalTempDir();
        using var server = new TestNamespace();
        using var client = new TestNamespace();
        Host.Link(server, "fws", client, "fwc", "198.18.0.2", "198.18.0.3");

        using var listener = Process.Start(new ProcessStartInfo("ip",
            ["netns", "exec", server.Name, "socat", "TCP-LISTEN:4372,fork,reuseaddr", "EXEC:/bin/cat"]))!;
        try
        {
            await Host.WaitListeningAsync(server, "tcp", 4372);
            // Without the firewall both source addresses get through: the drop below is the firewall's doing.
            Assert.True(Echo(client, "198.18.0.3").Ok);

            var fw = new LinuxFirewall(dir["appliance.nft"], server.Name);
            // An operator rule that would drop the peer comes after the cluster rules and cannot.
            await fw.ApplyAsync(new FirewallRuleset(
                [new FirewallRule(1, FirewallSource.Parse("198.18.0.2"), FirewallProtocol.Tcp, 4372, FirewallAction.Drop)],
                [IPAddress.Parse("198.18.0.2")])).WaitAsync(Host.Unexpected);

            var peer = Echo(client, "198.18.0.2");
            Assert.True(peer.Ok, peer.Error);
            var other = Echo(client, "198.18.0.3");
            output.WriteLine($"non-peer: {other.Error}");
            Assert.False(other.Ok);
            Assert.Contains("timed out", other.Error, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            listener.Kill(entireProcessTree: true);
            await listener.WaitForExitAsync().WaitAsync(Host.Unexpected);
        }
    }

    /// <summary>Issue 22: the cluster rules cover HTTPS too; an operator rule closing 443 closes it to everyone but the peers.</summary>
    [RootFact]
    public async Task Https_is_open_to_the_peers_whatever_the_operator_rules_and_narrowed_for_others()
    {
        using var dir = new HalTempDir();
        using var server = new TestNamespace();
        using var client = new TestNamespace();
        Host.Link(server, "fws", client, "fwc", "198.18.0.2", "198.18.0.3");
        using var listener = Process.Start(new ProcessStartInfo("ip",
            ["netns", "exec", server.Name, "socat", $"TCP-LISTEN:{FirewallRuleset.HttpsPort},fork,reuseaddr", "EXEC:/bin/cat"]))!;
        try
        {
            await Host.WaitListeningAsync(server, "tcp", FirewallRuleset.HttpsPort);
            var fw = new LinuxFirewall(dir["appliance.nft"], server.Name);
            await fw.ApplyAsync(new FirewallRuleset([], [IPAddress.Parse("198.18.0.2")])).WaitAsync(Host.Unexpected);
            Assert.True(Echo(client, "198.18.0.3", FirewallRuleset.HttpsPort).Ok, "443 is no cluster-only port: administrators reach it");

            await fw.ApplyAsync(new FirewallRuleset(
                [new FirewallRule(1, FirewallSource.Any, FirewallProtocol.Tcp, FirewallRuleset.HttpsPort, FirewallAction.Drop)],
                [IPAddress.Parse("198.18.0.2")])).WaitAsync(Host.Unexpected);
            var peer = Echo(client, "198.18.0.2", FirewallRuleset.HttpsPort);
            Assert.True(peer.Ok, peer.Error);
            Assert.False(Echo(client, "198.18.0.3", FirewallRuleset.HttpsPort).Ok);
            Assert.True((await fw.ReadBackAsync(default))!.Ruleset.ClusterPeers.SequenceEqual([IPAddress.Parse("198.18.0.2")]));
        }
        finally
        {
            listener.Kill(entireProcessTree: true);
            await listener.WaitForExitAsync().WaitAsync(Host.Unexpected);
        }
    }

    private static (bool Ok, string Error) Echo(TestNamespace client, string source, int port = 4372)
    {
        var (exit, stdout, stderr) = Host.RunFull("ping-" + source + "\n",
            ["ip", "netns", "exec", client.Name, "socat", "-T", "3", "-", $"TCP:198.18.0.1:{port},bind={source},connect-timeout=2"], check: false);
        return (exit == 0 && stdout == "ping-" + source + "\n", $"exit {exit}: {stderr.Trim()}");
    }

    private static (int Tables, List<string> Comments, string Json) RulesFromListRuleset(TestNamespace ns)
    {
        var json = ns.Exec("nft", "-j", "list", "ruleset");
        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.GetProperty("nftables").EnumerateArray().ToList();
        var tables = items.Count(i => i.TryGetProperty("table", out var t) && t.GetProperty("name").GetString() == "appliance");
        var comments = items.Where(i => i.TryGetProperty("rule", out _))
            .Select(i => i.GetProperty("rule"))
            .Where(r => r.GetProperty("table").GetString() == "appliance")
            .Select(r => r.TryGetProperty("comment", out var c) ? c.GetString()! : "")
            .ToList();
        return (tables, comments, json.Replace(" ", ""));
    }
}
