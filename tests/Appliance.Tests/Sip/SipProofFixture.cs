using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Tests.Harness;
using Appliance.Tests.Licensing;
using Appliance.Tests.Support;
using Eventually = Appliance.Tests.Support.Eventually;
using PeerCluster = Appliance.Tests.Harness.TestCluster;

namespace Appliance.Tests.Sip;

/// <summary>
/// Issue 21's proof with SIP software nobody here wrote, in network namespaces (198.18.0.0/24): two
/// clustered peers p1/p2 whose trunks listen on their own addresses (the rendezvous of location
/// oslo), two bridgesims b1/b2 in one pool, a real kamailio on k whose dispatcher lists both peers
/// (OPTIONS every second, round robin, failover), and host ua for the endpoints. meet.N is
/// conference meet-N (linger 1 s) on either bridge. Shared by a test class; each test leaves it whole.
/// </summary>
public sealed class SipProofFixture : IAsyncLifetime
{
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly ConcurrentQueue<string> _log = new();

    public PeerCluster Cluster { get; private set; } = null!;
    public BridgeSimProcess[] Sims { get; private set; } = [];
    internal NetnsBridgeApi[] BridgeApis { get; private set; } = [];
    internal KamailioProcess Kamailio { get; private set; } = null!;
    public TestHost Endpoints { get; private set; } = null!;
    public NetnsThread EndpointThread { get; private set; } = null!;

    public static readonly string[] BridgeNames = ["sim1", "sim2"];
    public IPEndPoint Proxy => new(IPAddress.Parse(Kamailio.Listen), 5060);
    /// <summary>Peer N's rendezvous address: a second address on its host (a rendezvous may not be the management address).</summary>
    public string Rendezvous(int peer) => $"{TestNetwork.Subnet}.{21 + peer}";
    public string Trunk(int peer) => $"{Rendezvous(peer)}:{Appliance.Daemon.Sip.SipTrunk.DefaultPort}";
    public string Log => string.Join('\n', _log.TakeLast(200));

    public void Write(string line) => _log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    public async Task InitializeAsync()
    {
        Cluster = await PeerCluster.CreateAsync(2, Write);
        // The peers run on the first two hosts; the others (no daemon) are added after they started.
        await Cluster.StartPeersAsync(["--bridge-watch-networks", $"{TestNetwork.Subnet}.0/{TestNetwork.PrefixLength}"]);
        var net = Cluster.Network;
        var bridgeHosts = new[] { await net.AddHostAsync("b1"), await net.AddHostAsync("b2") };
        var proxyHost = await net.AddHostAsync("k");
        Endpoints = await net.AddHostAsync("ua");
        EndpointThread = new NetnsThread(Endpoints.Namespace);
        Sims = [.. bridgeHosts.Select(h => new BridgeSimProcess(h.Address) { Namespace = h.Namespace })];
        foreach (var sim in Sims) await sim.StartAsync();
        BridgeApis = [.. Sims.Select(s => new NetnsBridgeApi(EndpointThread, s.Address))];
        await Cluster.FormAsync("key-sipproof-Cluster!");
        await Cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(60));
        await ConfigureAsync();
        Kamailio = new KamailioProcess(proxyHost.Address, [Trunk(0), Trunk(1)], KamailioProcess.Dispatch, proxyHost.Namespace);
        await WaitWholeAsync();
    }

    private async Task ConfigureAsync()
    {
        var p1 = Cluster[0].Api;
        await p1.AddAsync("locations", "oslo", new Dictionary<string, string>());
        for (var i = 0; i < Sims.Length; i++)
        {
            await p1.AddAsync("bridges", BridgeNames[i], new Dictionary<string, string>
            {
                ["address"] = Sims[i].Address, ["protocol"] = "http", ["port"] = $"{BridgeSimProcess.HttpPort}", ["type"] = "mcu",
                ["sipPort"] = $"{BridgeSimProcess.SipPort}", ["sipTransport"] = "udp",
            });
        }
        await p1.AddAsync("bridge-pools", "pool-sims", new Dictionary<string, string> { ["bridges"] = string.Join(',', BridgeNames) });
        await p1.AddAsync("service-preferences", "pref-sims", new Dictionary<string, string> { ["pools"] = "pool-sims" });
        await p1.AddAsync("templates", "tpl-sims", new Dictionary<string, string> { ["preference"] = "pref-sims", ["lingerSeconds"] = "1" });
        await p1.AddAsync("conference-aliases", "al-meet", new Dictionary<string, string>
        {
            ["pattern"] = @"meet\.(\d+)", ["conference"] = "meet-$1", ["role"] = "guest", ["priority"] = "10", ["template"] = "tpl-sims",
        });
        var serial = (string)(await p1.CallAsync("licence.show"))["serial"]!;
        await p1.CallAsync("licence.add", new JsonObject { ["key"] = TestVendorKey.Issuer().IssueOption(serial, 50, 100) });
        for (var i = 0; i < 2; i++)
        {
            await HostCommand.Ip("-n", Cluster[i].Host.Namespace, "addr", "add", $"{Rendezvous(i)}/{TestNetwork.PrefixLength}", "dev", Cluster[i].Host.Interface);
            await Cluster[i].Api.AddAsync("location-addresses", "oslo", new Dictionary<string, string> { ["rendezvous"] = Rendezvous(i) });
        }
    }

    /// <summary>Both peers' trunks listen, both see both bridges usable, kamailio has both peers active.</summary>
    public async Task WaitWholeAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            var peer = Cluster[i];
            var want = $"listening on {Trunk(i)}";
            await Eventually.WaitUntil(async () => (await SipApplier(peer))?.StartsWith(want, StringComparison.Ordinal) == true,
                Settle, $"{peer.Host.Name}'s trunk {want}", async () => await SipApplier(peer) ?? "(no sip applier)");
            await Eventually.WaitUntil(async () => (await BridgeStates(i)).Count(s => s.EndsWith("=usable", StringComparison.Ordinal)) == 2 * BridgeNames.Length,
                Settle, $"{peer.Host.Name} sees both bridges usable (its view and the other peer's)", async () => string.Join(", ", await BridgeStates(i)));
        }
        await WaitKamailioUsesBothAsync();
    }

    /// <summary>Kamailio marks both peers active: its round robin then alternates between them (a peer whose 1 s ping was late under load is skipped until it answers one again).</summary>
    public Task WaitKamailioUsesBothAsync() => Eventually.WaitUntil(async () => await Kamailio.IsActive(Trunk(0)) && await Kamailio.IsActive(Trunk(1)), Settle,
        "kamailio marks both peers active", Kamailio.Describe);

    private static async Task<string?> SipApplier(PeerProcess p) =>
        (await p.Api.CallAsync("status"))["appliers"]!.AsArray().OfType<JsonObject>().FirstOrDefault(a => (string?)a["name"] == "sip")?["reason"]?.GetValue<string>();

    /// <summary>`bridges status` on one peer: "bridge@peer=state" rows.</summary>
    public async Task<IReadOnlyList<string>> BridgeStates(int peer) =>
        [.. (await Cluster[peer].Api.CallAsync("bridges.status"))["bridges"]!.AsArray().OfType<JsonObject>()
            .Select(r => $"{r["bridge"]}@{r["peer"]}={r["state"]}")];

    public async Task<JsonArray> Calls(int peer) => (await Cluster[peer].Api.CallAsync("calls.show"))["calls"]!.AsArray();

    public async Task<JsonObject?> Conference(int peer, string name) =>
        (await Cluster[peer].Api.CallAsync("conferences.show"))["conferences"]!.AsArray().OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == name);

    /// <summary>A caller on host ua (its sockets made inside that namespace).</summary>
    internal Task<SipCaller> CallerAsync() => EndpointThread.RunAsync(() => new SipCaller(Endpoints.Address));

    public async Task DisposeAsync()
    {
        Kamailio?.Dispose();
        foreach (var api in BridgeApis) api.Dispose();
        foreach (var sim in Sims) await sim.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        EndpointThread?.Dispose();
    }
}
