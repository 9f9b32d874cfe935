using System.Net;
using Appliance.Hal;

namespace Appliance.Tests.Hal;

public sealed class FirewallRendererTests
{
    [Fact]
    public void Renders_one_transaction_with_cluster_rules_first_and_operator_rules_by_priority()
    {
        var ruleset = new FirewallRuleset(
            [
                new FirewallRule(20, FirewallSource.Parse("198.18.0.0/24"), FirewallProtocol.Tcp, 22, FirewallAction.Accept),
                new FirewallRule(10, FirewallSource.Any, FirewallProtocol.Icmp, null, FirewallAction.Drop),
                new FirewallRule(30, FirewallSource.Parse("198.18.0.7"), FirewallProtocol.Udp, null, FirewallAction.Reject),
                new FirewallRule(40, FirewallSource.Any, FirewallProtocol.Udp, 10000, FirewallAction.Accept, LastPort: 20000),
            ],
            [IPAddress.Parse("198.18.0.2"), IPAddress.Parse("198.18.0.3")],
            FirewallAction.Drop);
        Assert.Equal(
            """
            table inet appliance
            delete table inet appliance
            table inet appliance {
            	chain input {
            		type filter hook input priority filter; policy drop;
            		tcp dport { 4371, 4372 } ip saddr { 198.18.0.2, 198.18.0.3 } accept comment "cluster"
            		tcp dport 443 ip saddr { 198.18.0.2, 198.18.0.3 } accept comment "cluster"
            		tcp dport { 4371, 4372 } drop comment "cluster"
            		udp dport 161 drop comment "snmp"
            		iif "lo" accept comment "base"
            		ct state established,related accept comment "base"
            		meta l4proto { icmp, ipv6-icmp } drop comment "operator priority 10"
            		ip saddr 198.18.0.0/24 tcp dport 22 accept comment "operator priority 20"
            		ip saddr 198.18.0.7/32 meta l4proto udp reject comment "operator priority 30"
            		udp dport 10000-20000 accept comment "operator priority 40"
            		udp dport 5060 drop comment "sip"
            		tcp dport 5060 drop comment "sip"
            		tcp dport 5061 drop comment "sip-tls"
            	}
            }

            """.Replace("\r", ""),
            NftRenderer.Render(ruleset));
    }

    [Fact]
    public void Bad_rules_are_refused_naming_the_rule()
    {
        var e = Assert.Throws<ArgumentException>(() => NftRenderer.Render(new FirewallRuleset(
            [new FirewallRule(5, FirewallSource.Any, FirewallProtocol.Icmp, 22, FirewallAction.Accept)], [])));
        Assert.Contains("priority 5 from any icmp port 22 accept", e.Message);
        Assert.Contains("needs protocol tcp or udp", e.Message);
        Assert.Throws<ArgumentException>(() => NftRenderer.Render(new FirewallRuleset(
            [new FirewallRule(5, FirewallSource.Any, FirewallProtocol.Tcp, 70000, FirewallAction.Accept)], [])));
        Assert.Contains("must run upwards", Assert.Throws<ArgumentException>(() => NftRenderer.Render(new FirewallRuleset(
            [new FirewallRule(5, FirewallSource.Any, FirewallProtocol.Tcp, 5061, FirewallAction.Accept, LastPort: 5060)], []))).Message);
        Assert.Contains("'198.18.0.1/24'", Assert.Throws<FormatException>(() => FirewallSource.Parse("198.18.0.1/24")).Message);
        Assert.Throws<ArgumentException>(() => NftRenderer.Render(new FirewallRuleset([], [], FirewallAction.Reject)));
    }

    [Fact]
    public void Snmp_open_accepts_udp_161_after_the_operator_rules_so_they_can_narrow_it()
    {
        var narrowed = new FirewallRuleset(
            [new FirewallRule(5, FirewallSource.Parse("198.18.5.0/24"), FirewallProtocol.Udp, 161, FirewallAction.Drop)], [], SnmpOpen: true);
        var lines = NftRenderer.Render(narrowed).Split('\n').Select(l => l.Trim()).ToList();
        var operatorRule = lines.FindIndex(l => l.EndsWith("comment \"operator priority 5\"", StringComparison.Ordinal));
        var snmp = lines.IndexOf("udp dport 161 accept comment \"snmp\"");
        Assert.True(operatorRule >= 0 && snmp > operatorRule, string.Join('\n', lines));
        Assert.DoesNotContain("udp dport 161 drop comment \"snmp\"", lines);
        Assert.False(narrowed.SameAs(narrowed with { SnmpOpen = false }));
    }

    [Fact]
    public void Sip_is_accepted_to_the_rendezvous_addresses_after_the_operator_rules_and_dropped_to_others()
    {
        var ruleset = new FirewallRuleset(
            [new FirewallRule(5, FirewallSource.Parse("198.18.5.0/24"), FirewallProtocol.Udp, 5060, FirewallAction.Drop)], [],
            SipAddresses: [IPAddress.Parse("198.18.1.11"), IPAddress.Parse("198.18.1.12")]);
        var lines = NftRenderer.Render(ruleset).Split('\n').Select(l => l.Trim()).ToList();
        var operatorRule = lines.FindIndex(l => l.EndsWith("comment \"operator priority 5\"", StringComparison.Ordinal));
        var udp = lines.IndexOf("ip daddr { 198.18.1.11, 198.18.1.12 } udp dport 5060 accept comment \"sip\"");
        var tcp = lines.IndexOf("ip daddr { 198.18.1.11, 198.18.1.12 } tcp dport 5060 accept comment \"sip\"");
        var drop = lines.IndexOf("udp dport 5060 drop comment \"sip\"");
        var tls = lines.IndexOf("ip daddr { 198.18.1.11, 198.18.1.12 } tcp dport 5061 accept comment \"sip-tls\"");
        var tlsDrop = lines.IndexOf("tcp dport 5061 drop comment \"sip-tls\"");
        Assert.True(operatorRule >= 0 && udp > operatorRule && tcp > udp && drop > tcp && tls > operatorRule && tlsDrop > tls, string.Join('\n', lines));
        Assert.False(ruleset.SameAs(ruleset with { SipAddresses = [] }));
        Assert.False(ruleset.SameAs(ruleset with { SipPort = 5070 }));
        Assert.False(ruleset.SameAs(ruleset with { SipTlsPort = 5071 }));
        Assert.True(ruleset.SameAs(ruleset with { SipAddresses = [IPAddress.Parse("198.18.1.12"), IPAddress.Parse("198.18.1.11")] }));
    }

    [Fact]
    public void No_peers_means_cluster_ports_are_closed_to_everyone()
    {
        var script = NftRenderer.Render(new FirewallRuleset([], []));
        Assert.DoesNotContain("saddr", script);
        Assert.Contains("tcp dport { 4371, 4372 } drop", script);
    }

    [Fact]
    public async Task Simulated_firewall_reads_back_what_was_applied()
    {
        var fw = new SimulatedFirewall();
        Assert.Null(await fw.ReadBackAsync());
        var rs = new FirewallRuleset([new FirewallRule(1, FirewallSource.Any, FirewallProtocol.Tcp, 22, FirewallAction.Accept)], [IPAddress.Parse("198.18.0.2")]);
        await fw.ApplyAsync(rs);
        Assert.True(rs.SameAs((await fw.ReadBackAsync())!.Ruleset));
        Assert.Contains("tcp dport 22 accept", fw.ActiveScript);
        await fw.RemoveAsync();
        Assert.Null(await fw.ReadBackAsync());
    }
}
