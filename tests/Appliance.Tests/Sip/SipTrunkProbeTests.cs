using System.Net;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Node;
using Appliance.Daemon.Sip;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// The trunk's OPTIONS probe of a bridge's SIP side (SipTrunk.ProbeBridgeAsync) over real loopback
/// sockets, a SIP stack standing in for the bridge: any answer of its own is a live SIP side, and each
/// way of failing says what happened; where no listener could send leg B, nothing is asked.
/// </summary>
public sealed class SipTrunkProbeTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly TempDirectory _dir = new();
    private readonly string _bridgeAddress = LoopbackAddresses.Next();
    private readonly SipStack _bridge = new();
    private SipTrunk _trunk = null!;
    private int _bridgePort;
    private int _answer = 200;

    public async Task InitializeAsync()
    {
        _trunk = new SipTrunk(SipTrunkProcessTests.FreePort(), new NodeLogs(_dir["data"], 1 << 20, TimeProvider.System), TimeProvider.System);
        await _trunk.ListenAsync([IPAddress.Parse(LoopbackAddresses.Next())], CancellationToken.None);
        var udp = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Parse(_bridgeAddress), 0));
        _bridge.AddTransport(udp);
        _bridgePort = udp.LocalEndPoint.Port;
        _bridge.RequestReceived = t => t.RespondAsync(_answer, _answer == 503 ? "Busy\twith\u200b maintenance" : null);
    }

    private BridgeEndpoint Bridge(int sipPort, string transport = "udp", string? address = null) =>
        new("b1", address ?? _bridgeAddress, "http", 80, null, null, "mcu", sipPort, transport);

    private Task<string?> Probe(BridgeEndpoint bridge) => _trunk.ProbeBridgeAsync(bridge, Timeout, CancellationToken.None);

    [Fact(Timeout = 30_000)]
    public async Task Any_answer_of_the_bridge_own_is_a_live_sip_side_and_a_503_is_not()
    {
        Assert.Null(await Probe(Bridge(_bridgePort)));
        _answer = 405;
        Assert.Null(await Probe(Bridge(_bridgePort)));
        _answer = 503;
        var busy = await Probe(Bridge(_bridgePort));
        Assert.NotNull(busy);
        Assert.StartsWith($"its SIP side ({_bridgeAddress}:{_bridgePort} over UDP) answered OPTIONS 503 Busy", busy, StringComparison.Ordinal);
        Assert.DoesNotContain('\t', busy); // escaped: a reason the bridge sends must not make the shared status record invalid
        Assert.DoesNotContain('\u200b', busy);
    }

    [Fact(Timeout = 30_000)]
    public async Task No_answer_in_time_and_a_refused_connection_each_say_so()
    {
        var silent = SipTrunkProcessTests.FreePort();
        Assert.Equal($"its SIP side ({_bridgeAddress}:{silent} over UDP) did not answer OPTIONS within 1 s", await Probe(Bridge(silent)));
        var refused = await Probe(Bridge(silent, "tcp"));
        Assert.NotNull(refused);
        Assert.StartsWith($"its SIP side ({_bridgeAddress}:{silent} over TCP) cannot be reached: 503", refused, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Nothing_is_asked_where_leg_b_could_not_go_either()
    {
        Assert.Null(await Probe(Bridge(_bridgePort, "tls"))); // no TLS listener: no server certificate selected
        Assert.Null(await Probe(Bridge(_bridgePort, address: "bridge.example"))); // leg B needs an IP address and says so per call
        await _trunk.ListenAsync([], CancellationToken.None);
        Assert.Null(await Probe(Bridge(_bridgePort))); // no rendezvous address: no listener at all
    }

    public async Task DisposeAsync()
    {
        await _trunk.DisposeAsync();
        await _bridge.DisposeAsync();
        _dir.Dispose();
    }
}
