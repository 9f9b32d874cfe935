using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// A real applianced with a location whose rendezvous address (its own loopback address) serves
/// SIP on <see cref="Port"/>, and a SIP client stack of the library to talk to it.
/// </summary>
internal sealed class SipTrunkPeer : IAsyncDisposable
{
    private readonly StandaloneDaemon _daemon;
    private readonly SipStack _client = new(new SipTimers(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5)));
    private readonly SipUdpTransport _udp = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly SipTcpTransport _tcp = SipTcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0));

    private SipTrunkPeer(int port)
    {
        Port = port;
        _daemon = new StandaloneDaemon(bind: true, extraArgs: ["--sip-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        _client.AddTransport(_udp);
        _client.AddTransport(_tcp);
    }

    public int Port { get; }
    public DaemonProcess Daemon => _daemon.Daemon;
    public string Rendezvous { get; private set; } = "";
    public IPEndPoint Sip => new(IPAddress.Parse(Rendezvous), Port);

    /// <summary>
    /// Starts the daemon and gives it location "oslo" with a fresh rendezvous address; returns when it
    /// listens there. The SIP port is a free one (--sip-port), so a SIP server of the host on 5060 is no matter.
    /// </summary>
    public static async Task<SipTrunkPeer> StartAsync()
    {
        var peer = new SipTrunkPeer(SipTrunkProcessTests.FreePort());
        try
        {
            await peer.Daemon.StartAsync();
            await peer.Daemon.Add("locations", "oslo");
            await peer.MoveAsync(LoopbackAddresses.Next(), add: true);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sets location oslo's rendezvous address and waits until the SIP applier says it listens there.</summary>
    public async Task MoveAsync(string rendezvous, bool add = false)
    {
        if (add) await Daemon.Add("location-addresses", "oslo", ("rendezvous", rendezvous));
        else await Daemon.Set("location-addresses.oslo.rendezvous", rendezvous);
        Rendezvous = rendezvous;
        await Eventually.WaitUntil(async () => (await SipApplier())?.StartsWith($"listening on {rendezvous}:{Port}", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), $"the sip applier listening on {rendezvous}:{Port}", async () => await SipApplier() ?? "(no sip applier)");
    }

    public async Task<string?> SipApplier()
    {
        var appliers = (await Daemon.Api("status"))["appliers"]!.AsArray();
        return appliers.OfType<JsonObject>().FirstOrDefault(a => (string?)a["name"] == "sip")?["reason"]?.GetValue<string>();
    }

    public SipRequest Request(string method, string user = "p1")
    {
        var r = SipBuild.Request(method, SipUri.Parse($"sip:{user}@{Rendezvous}:{Port}"), SipNameAddress.Parse("<sip:test@127.0.0.1>"),
            SipNameAddress.Parse($"<sip:{user}@{Rendezvous}>"), SipIds.NewCallId("127.0.0.1"), 1, SipNameAddress.Parse("<sip:test@127.0.0.1>"));
        return r;
    }

    /// <summary>Sends over UDP or TCP and returns the final response (a local 408 when nothing answered).</summary>
    public Task<SipResponse> SendAsync(SipRequest request, string protocol = "UDP") =>
        SipTestKit.Within(_client.SendRequest(request, protocol == "UDP" ? _udp : _tcp, Sip).Final, $"{request.Method} over {protocol}");

    public SipClientTransaction Start(SipRequest request) => _client.SendRequest(request, _udp, Sip);

    /// <summary>Whether a TCP connection to the SIP port of <paramref name="address"/> is accepted.</summary>
    public async Task<bool> TcpOpenAsync(string address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), Port)).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _daemon.DisposeAsync();
    }
}
