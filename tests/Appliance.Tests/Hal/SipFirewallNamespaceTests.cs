using System.Net;
using Appliance.Hal;
using Xunit.Abstractions;

namespace Appliance.Tests.Hal;

/// <summary>
/// SIP to the rendezvous address through the real nftables under the base table's drop policy: a
/// real datagram and a real connection from another namespace reach 5060 (and TLS's 5061 over TCP) only while the daemon's
/// table opens it, and the table reads back as the rule set that made it.
/// </summary>
public sealed class SipFirewallNamespaceTests(ITestOutputHelper output)
{
    [Harness.RootFact]
    public async Task Sip_reaches_the_rendezvous_address_on_udp_tcp_and_tls_only_while_opened()
    {
        using var dir = new HalTempDir();
        await using var pair = await BaseTableEchoPair.StartAsync(("sis", "sic"), ("udp", 5060), ("tcp", 5060), ("tcp", 5061));
        var fw = new LinuxFirewall(dir["appliance.nft"], pair.Server.Name);
        var peers = new[] { IPAddress.Parse("198.18.0.9") };

        var open = new FirewallRuleset([], peers, FirewallAction.Drop, SipAddresses: [IPAddress.Parse(BaseTableEchoPair.ServerAddress)]);
        await fw.ApplyAsync(open).WaitAsync(Host.Unexpected);
        Assert.True(Echo(pair, "UDP4").Ok, $"SIP over UDP: {Echo(pair, "UDP4").Error}");
        Assert.True(Echo(pair, "TCP4").Ok, $"SIP over TCP: {Echo(pair, "TCP4").Error}");
        Assert.True(Echo(pair, "TCP4", 5061).Ok, $"SIP over TLS (TCP 5061): {Echo(pair, "TCP4", 5061).Error}");
        var state = await fw.ReadBackAsync().WaitAsync(Host.Unexpected);
        Assert.NotNull(state);
        Assert.Empty(state.Unrecognized);
        Assert.True(open.SameAs(state.Ruleset), "the table read back is the rule set applied");
        Assert.False(open.SameAs(state.Ruleset with { SipAddresses = [IPAddress.Parse("198.18.0.7")] }));
        Assert.False(open.SameAs(state.Ruleset with { SipTlsPort = 5071 }));

        // Another rendezvous address: SIP to this one is dropped, even under an accept policy.
        await fw.ApplyAsync(open with { SipAddresses = [IPAddress.Parse("198.18.0.7")], DefaultAction = FirewallAction.Accept }).WaitAsync(Host.Unexpected);
        var closed = Echo(pair, "UDP4");
        output.WriteLine($"SIP closed: {closed.Error}");
        Assert.False(closed.Ok);
        Assert.False(Echo(pair, "TCP4").Ok);
        Assert.False(Echo(pair, "TCP4", 5061).Ok);
    }

    private static (bool Ok, string Error) Echo(BaseTableEchoPair pair, string protocol, int port = 5060) =>
        pair.Echo($"sip-{protocol}-{port}", $"{protocol}:{BaseTableEchoPair.ServerAddress}:{port},connect-timeout=2");
}
