using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Tests.Bridges;
using Appliance.Tests.Licensing;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// Two clustered peers whose trunks listen on their own rendezvous addresses (location oslo), one
/// bridgesim with its SIP side, and the conferencing configuration that sends meet.N to conference
/// meet-N on it (linger 1 s), long.N to long-N on it (linger 10 min) and dead.N to a bridge nobody
/// runs. A second bridgesim (sim2) comes first for pair.N, and a third whose SIP side answers OPTIONS
/// but never an INVITE (deaf, switch inviteSilent) first for deaf.N, sim1 second for both. Shared by
/// a test class.
/// </summary>
public sealed class B2buaClusterFixture : IAsyncLifetime
{
    public int SipPort { get; } = SipTrunkProcessTests.FreePort();
    public TestCluster Cluster { get; private set; } = null!;
    public BridgeSimProcess Sim { get; } = new(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password]);
    public BridgeSimProcess Sim2 { get; } = new(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password]);
    public BridgeSimProcess Deaf { get; } = new(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password, "--invite-silent"]);
    public string[] Rendezvous { get; } = [LoopbackAddresses.Next(), LoopbackAddresses.Next()];

    public IPEndPoint Trunk(int peer) => new(IPAddress.Parse(Rendezvous[peer]), SipPort);
    public IPEndPoint BridgeSip => new(IPAddress.Parse(Sim.Address), BridgeSimProcess.SipPort);

    public Appliance.Daemon.Bridges.BridgeClient BridgeApi(BridgeSimProcess? sim = null) => new(new("sim", (sim ?? Sim).Address, "http", BridgeSimProcess.HttpPort,
        BridgeSimFixture.User, BridgeSimFixture.Password, "mcu", BridgeSimProcess.SipPort, "udp"), timeout: TimeSpan.FromSeconds(10));

    public async Task InitializeAsync()
    {
        await Sim.StartAsync();
        await Sim2.StartAsync();
        await Deaf.StartAsync();
        Cluster = await TestCluster.StartAsync(2, "sb", _ => ["--sip-port", SipPort.ToString(CultureInfo.InvariantCulture)]);
        await Cluster.FormAsync();
        var c = Cluster;
        await c[0].Add("locations", "oslo");
        await AddSimBridge(c[0], "sim1", Sim, BridgeSimProcess.SipPort);
        await c[0].Add("bridges", "gone1", ("address", LoopbackAddresses.Next()), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"), ("type", "mcu"));
        await AddSimBridge(c[0], "sim2", Sim2, BridgeSimProcess.SipPort);
        await AddSimBridge(c[0], "deaf", Deaf, BridgeSimProcess.SipPort);
        await c[0].Add("bridge-pools", "pool-sim", ("bridges", "sim1"));
        await c[0].Add("bridge-pools", "pool-sim2", ("bridges", "sim2"));
        await c[0].Add("bridge-pools", "pool-deaf", ("bridges", "deaf"));
        await c[0].Add("service-preferences", "pref-pair", ("pools", "pool-sim2,pool-sim"));
        await c[0].Add("service-preferences", "pref-deaf", ("pools", "pool-deaf,pool-sim"));
        await c[0].Add("templates", "tpl-pair", ("preference", "pref-pair"), ("lingerSeconds", "1"));
        await c[0].Add("templates", "tpl-deaf", ("preference", "pref-deaf"), ("lingerSeconds", "1"));
        await c[0].Add("bridge-pools", "pool-gone", ("bridges", "gone1"));
        await c[0].Add("service-preferences", "pref-sim", ("pools", "pool-sim"));
        await c[0].Add("service-preferences", "pref-gone", ("pools", "pool-gone"));
        await c[0].Add("templates", "tpl-sim", ("preference", "pref-sim"), ("lingerSeconds", "1"));
        await c[0].Add("templates", "tpl-gone", ("preference", "pref-gone"));
        await c[0].Add("templates", "tpl-long", ("preference", "pref-sim"), ("lingerSeconds", "600"));
        await c[0].Add("conference-aliases", "al-meet", ("pattern", @"meet\.(\d+)"), ("conference", "meet-$1"), ("role", "guest"),
            ("priority", "10"), ("template", "tpl-sim"));
        foreach (var (alias, template) in new[] { ("long", "tpl-long"), ("pair", "tpl-pair"), ("deaf", "tpl-deaf") })
            await c[0].Add("conference-aliases", $"al-{alias}", ("pattern", $@"{alias}\.(\d+)"), ("conference", $"{alias}-$1"), ("role", "guest"),
                ("priority", "30"), ("template", template));
        await c[0].Add("conference-aliases", "al-dead", ("pattern", @"dead\.(\d+)"), ("conference", "dead-$1"), ("role", "guest"),
            ("priority", "20"), ("template", "tpl-gone"));
        var serial = (string)(await c[0].Api("licence.show"))["serial"]!;
        await c[0].Api("licence.add", new JsonObject { ["key"] = TestVendorKey.Issuer().IssueOption(serial, 5, 40) });
        for (var i = 0; i < 2; i++)
        {
            await c[i].Add("location-addresses", "oslo", ("rendezvous", Rendezvous[i]));
            var peer = c[i];
            var want = $"listening on {Rendezvous[i]}:{SipPort}";
            await Eventually.WaitUntil(async () => (await SipApplier(peer))?.StartsWith(want, StringComparison.Ordinal) == true,
                TimeSpan.FromSeconds(60), $"peer {i + 1}'s trunk {want}", async () => await SipApplier(peer) ?? "(no sip applier)");
        }
        // Both peers place on each bridge only once their own watcher sees it usable.
        for (var i = 0; i < 2; i++)
            foreach (var (alias, bridge) in new[] { ("meet.0", "sim1"), ("pair.0", "sim2"), ("deaf.0", "deaf") })
            {
                var peer = c[i];
                await Eventually.WaitUntil(async () => (string?)(await peer.Api("conferences.place", new JsonObject { ["alias"] = alias }))["bridge"] == bridge,
                    TimeSpan.FromSeconds(60), $"peer {i + 1} places {alias} on {bridge}",
                    async () => (await peer.Api("conferences.place", new JsonObject { ["alias"] = alias })).ToJsonString());
            }
    }

    private static Task<JsonNode> AddSimBridge(DaemonProcess peer, string name, BridgeSimProcess sim, int sipPort) =>
        peer.Add("bridges", name, ("address", sim.Address), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"),
            ("user", BridgeSimFixture.User), ("password", BridgeSimFixture.Password), ("type", "mcu"),
            ("sipPort", $"{sipPort}"), ("sipTransport", "udp"));

    private static async Task<string?> SipApplier(DaemonProcess d) =>
        (await d.Api("status"))["appliers"]!.AsArray().OfType<JsonObject>().FirstOrDefault(a => (string?)a["name"] == "sip")?["reason"]?.GetValue<string>();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        await Sim.DisposeAsync();
        await Sim2.DisposeAsync();
        await Deaf.DisposeAsync();
    }
}
