using System.Diagnostics;
using System.Net;
using Appliance.Hal;
using Appliance.Tests.Image;
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
        using var server = new TestNamespace();
        using var client = new TestNamespace();
        Host.Link(server, "sns", client, "snc", "198.18.0.2");
        server.Exec("nft", "-f", Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "etc", "nftables.conf"));

        using var listener = Process.Start(new ProcessStartInfo("ip",
            ["netns", "exec", server.Name, "socat", "UDP4-RECVFROM:161,fork,reuseaddr", "EXEC:/bin/cat"]))!;
        try
        {
            await Host.WaitListeningAsync(server, "udp", 161);
            var fw = new LinuxFirewall(dir["appliance.nft"], server.Name);
            var peers = new[] { IPAddress.Parse("198.18.0.9") };

            await fw.ApplyAsync(new FirewallRuleset([], peers, SnmpOpen: true)).WaitAsync(Host.Unexpected);
            var open = Echo(client, "open");
            Assert.True(open.Ok, $"SNMP enabled: {open.Error}");

            // Even an operator rule that accepts UDP 161 does not open a disabled agent's port.
            await fw.ApplyAsync(new FirewallRuleset(
                [new FirewallRule(1, FirewallSource.Any, FirewallProtocol.Udp, 161, FirewallAction.Accept)], peers, SnmpOpen: false))
                .WaitAsync(Host.Unexpected);
            var closed = Echo(client, "closed");
            output.WriteLine($"SNMP disabled: {closed.Error}");
            Assert.False(closed.Ok);

            // Under an operator's default drop, the daemon's accept is what lets SNMP in.
            await fw.ApplyAsync(new FirewallRuleset([], peers, FirewallAction.Drop, SnmpOpen: true)).WaitAsync(Host.Unexpected);
            var underDrop = Echo(client, "drop-policy");
            Assert.True(underDrop.Ok, $"SNMP enabled under default drop: {underDrop.Error}");
        }
        finally
        {
            listener.Kill(entireProcessTree: true);
            await listener.WaitForExitAsync().WaitAsync(Host.Unexpected);
        }
    }

    private static (bool Ok, string Error) Echo(TestNamespace client, string text)
    {
        var (exit, stdout, stderr) = Host.RunFull(text + "\n",
            ["ip", "netns", "exec", client.Name, "socat", "-T", "2", "-", "UDP4:198.18.0.1:161"], check: false);
        return (exit == 0 && stdout == text + "\n", $"exit {exit}, got '{stdout.Trim()}': {stderr.Trim()}");
    }
}
