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
/// meet-N on it (linger 1 s) and dead.N to a bridge nobody runs. Shared by a test class.
/// </summary>
public sealed class B2buaClusterFixture : IAsyncLifetime
{
    public int SipPort { get; } = SipTrunkProcessTests.FreePort();
    public TestCluster Cluster { get; private set; } = null!;
    public BridgeSimProcess Sim { get; } = new(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password]);
    public string[] Rendezvous { get; } = [LoopbackAddresses.Next(), LoopbackAddresses.Next()];

    public IPEndPoint Trunk(int peer) => new(IPAddress.Parse(Rendezvous[peer]), SipPort);
    public IPEndPoint BridgeSip => new(IPAddress.Parse(Sim.Address), BridgeSimProcess.SipPort);

    public Appliance.Daemon.Bridges.BridgeClient BridgeApi() => new(new("sim", Sim.Address, "http", BridgeSimProcess.HttpPort,
        BridgeSimFixture.User, BridgeSimFixture.Password, "mcu", BridgeSimProcess.SipPort, "udp"), timeout: TimeSpan.FromSeconds(10));

    public async Task InitializeAsync()
    {
        await Sim.StartAsync();
        Cluster = await TestCluster.StartAsync(2, "sb", _ => ["--sip-port", SipPort.ToString(CultureInfo.InvariantCulture)]);
        await Cluster.FormAsync();
        var c = Cluster;
        await c[0].Add("locations", "oslo");
        await c[0].Add("bridges", "sim1", ("address", Sim.Address), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"),
            ("user", BridgeSimFixture.User), ("password", BridgeSimFixture.Password), ("type", "mcu"),
            ("sipPort", $"{BridgeSimProcess.SipPort}"), ("sipTransport", "udp"));
        await c[0].Add("bridges", "gone1", ("address", LoopbackAddresses.Next()), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"), ("type", "mcu"));
        await c[0].Add("bridge-pools", "pool-sim", ("bridges", "sim1"));
        await c[0].Add("bridge-pools", "pool-gone", ("bridges", "gone1"));
        await c[0].Add("service-preferences", "pref-sim", ("pools", "pool-sim"));
        await c[0].Add("service-preferences", "pref-gone", ("pools", "pool-gone"));
        await c[0].Add("templates", "tpl-sim", ("preference", "pref-sim"), ("lingerSeconds", "1"));
        await c[0].Add("templates", "tpl-gone", ("preference", "pref-gone"));
        await c[0].Add("conference-aliases", "al-meet", ("pattern", @"meet\.(\d+)"), ("conference", "meet-$1"), ("role", "guest"),
            ("priority", "10"), ("template", "tpl-sim"));
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
        // Both peers place on sim1 only once their own watcher sees it usable.
        for (var i = 0; i < 2; i++)
        {
            var peer = c[i];
            await Eventually.WaitUntil(async () => (string?)(await peer.Api("conferences.place", new JsonObject { ["alias"] = "meet.0" }))["outcome"] == "create",
                TimeSpan.FromSeconds(60), $"peer {i + 1} places meet.0 on sim1",
                async () => (await peer.Api("conferences.place", new JsonObject { ["alias"] = "meet.0" })).ToJsonString());
        }
    }

    private static async Task<string?> SipApplier(DaemonProcess d) =>
        (await d.Api("status"))["appliers"]!.AsArray().OfType<JsonObject>().FirstOrDefault(a => (string?)a["name"] == "sip")?["reason"]?.GetValue<string>();

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        await Sim.DisposeAsync();
    }
}
