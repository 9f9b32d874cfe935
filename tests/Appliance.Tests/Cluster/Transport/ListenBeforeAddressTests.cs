using System.Net;
using System.Threading.Channels;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>
/// On the appliance the daemon can start before its LAN address is on the interface (networkd,
/// DHCP or its own address applier add it later): the cluster listener must bind anyway and
/// accept once the address exists. A network namespace, so the machine's interfaces stay untouched.
/// </summary>
public sealed class ListenBeforeAddressTests(ITestOutputHelper output) : TransportTestBase(output)
{
    private const string Late = "198.18.0.21";

    [RootFact]
    public async Task Listener_binds_an_address_not_yet_present_and_accepts_once_it_is_added()
    {
        await using var network = await TestNetwork.CreateAsync(Log);
        var host = await network.AddHostAsync("late");
        using var inside = new NetnsThread(host.Namespace);
        var serverCert = NewCertificate("server-peer");
        var clientCert = NewCertificate("client-peer");
        var server = new TlsTransport(() => serverCert.Certificate, () => Credentials(), null, Log);
        var client = new TlsTransport(() => clientCert.Certificate, () => Credentials(), null, Log);
        var accepted = Channel.CreateUnbounded<PeerChannel>();

        // Sockets belong to the namespace of the thread that creates them.
        await using var listener = await inside.RunAsync(() => server.Listen(new IPEndPoint(IPAddress.Parse(Late), 4372),
            async (channel, ct) =>
            {
                await accepted.Writer.WriteAsync(channel, ct);
                await Task.Delay(Timeout.Infinite, ct);
            })).WaitAsync(Unexpected);
        Assert.Equal(IPAddress.Parse(Late), listener.LocalEndPoint.Address);

        await HostCommand.Ip("-n", host.Namespace, "addr", "add", $"{Late}/24", "dev", host.Interface);
        var connecting = await inside.RunAsync(() => client.ConnectAsync(listener.LocalEndPoint, Ct, IPAddress.Parse(host.Address))).WaitAsync(Unexpected);
        await using var channel = await connecting.WaitAsync(Unexpected);
        var served = await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected);
        Assert.Equal(IPAddress.Parse(host.Address), served.RemoteEndPoint!.Address);
    }
}
