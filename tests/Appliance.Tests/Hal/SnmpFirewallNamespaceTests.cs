using System.Net;
using Appliance.Hal;
using Xunit.Abstractions;

namespace Appliance.Tests.Hal;

/// <summary>
/// UDP 161 through both tables as the image loads them: the base file from image/overlay (input
/// policy drop) must let SNMP through, and the daemon's table then decides with snmp.enabled.
/// A real datagram from another namespace, echoed back by a UDP listener on 161.
/// </summary>
public sealed class SnmpFirewallNamespaceTests(ITestOutputHelper output)
{
    [Harness.RootFact]
    public async Task Snmp_port_is_reachable_through_the_base_table_only_while_the_daemon_opens_it()
    {
        using var dir = new HalTempDir();
        await using var pair = await BaseTableEchoPair.StartAsync(("sns", "snc"), ("udp", 161));
        var fw = new LinuxFirewall(dir["appliance.nft"], pair.Server.Name);
        var peers = new[] { IPAddress.Parse("198.18.0.9") };

        await fw.ApplyAsync(new FirewallRuleset([], peers, SnmpOpen: true)).WaitAsync(Host.Unexpected);
        var open = Echo(pair, "open");
        Assert.True(open.Ok, $"SNMP enabled: {open.Error}");

        // Even an operator rule that accepts UDP 161 does not open a disabled agent's port.
        await fw.ApplyAsync(new FirewallRuleset(
            [new FirewallRule(1, FirewallSource.Any, FirewallProtocol.Udp, 161, FirewallAction.Accept)], peers, SnmpOpen: false))
            .WaitAsync(Host.Unexpected);
        var closed = Echo(pair, "closed");
        output.WriteLine($"SNMP disabled: {closed.Error}");
        Assert.False(closed.Ok);

        // Under an operator's default drop, the daemon's accept is what lets SNMP in.
        await fw.ApplyAsync(new FirewallRuleset([], peers, FirewallAction.Drop, SnmpOpen: true)).WaitAsync(Host.Unexpected);
        var underDrop = Echo(pair, "drop-policy");
        Assert.True(underDrop.Ok, $"SNMP enabled under default drop: {underDrop.Error}");
    }

    private static (bool Ok, string Error) Echo(BaseTableEchoPair pair, string text) =>
        pair.Echo(text, $"UDP4:{BaseTableEchoPair.ServerAddress}:161");
}
