using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Licensing;
using Appliance.Daemon.Maintenance;
using Appliance.Tests.Licensing;

namespace Appliance.Tests.Maintenance;

/// <summary>R14 on real peers: Essentials, Select, edition mismatch, capacity summed over the cluster.</summary>
public sealed class LicenceServiceTests
{
    private const string Key = "maintenance test cluster key";

    [Fact]
    public async Task Essentials_refuses_clustering_with_that_status_and_an_alarm()
    {
        var port = Ports.Next();
        await using var a = await TestPeer.StartAsync("ESS-A", "127.0.0.21", port);
        await using var b = await TestPeer.StartAsync("ESS-B", "127.0.0.22", port);
        Assert.Equal("Essentials", (await a.CallAsync("licence.show"))["edition"]!.GetValue<string>());
        await a.CallAsync("cluster.setKey", new JsonObject { ["key"] = Key });
        var e = await a.RefusedAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray("127.0.0.21", "127.0.0.22") });
        Assert.Equal(ApiException.Validation, e.Kind);
        Assert.Contains("Essentials", e.Message);

        // A peer list stored before the rule applied (an older version, a restore) still does not cluster:
        // the status says why on both sides, and A raises an alarm.
        Daemon.Cluster.ClusterSettings.SavePeers(a.Node.Store, ["127.0.0.21", "127.0.0.22"]);
        await a.Node.Cluster.ReconfigureAsync();
        Assert.True(a.Node.Logs.Alarms.IsActive(LicenceService.AlarmId));
        await AddKeys(b, Issuer().IssueRelease("ESS-B", LicenceEdition.Full));
        await Join(b, "127.0.0.21", "127.0.0.22");
        var last = "";
        await Ports.EventuallyAsync(async () => (last = Status(await b.CallAsync("cluster.show"), "127.0.0.21")).Contains("not licensed", StringComparison.OrdinalIgnoreCase),
            $"B to show A as not licensed (shows {last})");
        Assert.False(b.Node.Logs.Alarms.IsActive(LicenceService.AlarmId));
        await Ports.EventuallyAsync(async () => (last = Status(await a.CallAsync("cluster.show"), "127.0.0.22")).Contains("not licensed", StringComparison.OrdinalIgnoreCase),
            $"A to show that it is not licensed (shows {last})");
    }

    [Fact]
    public async Task Select_refuses_a_third_peer()
    {
        await using var a = await TestPeer.StartAsync("SEL-A", "127.0.0.31", Ports.Next());
        await AddKeys(a, Issuer().IssueRelease("SEL-A", LicenceEdition.Select));
        await a.CallAsync("cluster.setKey", new JsonObject { ["key"] = Key });
        var e = await a.RefusedAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray("127.0.0.31", "127.0.0.32", "127.0.0.33") });
        Assert.Contains("at most 2 peers", e.Message);
        await a.CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray("127.0.0.31", "127.0.0.32") });
    }

    [Fact]
    public async Task Mixed_editions_refuse_to_replicate_with_edition_mismatch()
    {
        var port = Ports.Next();
        await using var a = await TestPeer.StartAsync("MIX-A", "127.0.0.41", port);
        await using var b = await TestPeer.StartAsync("MIX-B", "127.0.0.42", port);
        await AddKeys(a, Issuer().IssueRelease("MIX-A", LicenceEdition.Full));
        await AddKeys(b, Issuer().IssueRelease("MIX-B", LicenceEdition.Select));
        await Join(a, "127.0.0.41", "127.0.0.42");
        await Join(b, "127.0.0.41", "127.0.0.42");
        await Ports.EventuallyAsync(async () => Status(await a.CallAsync("cluster.show"), "127.0.0.42").Contains("Edition mismatch"), "A: edition mismatch");
        await Ports.EventuallyAsync(async () => Status(await b.CallAsync("cluster.show"), "127.0.0.41").Contains("Edition mismatch"), "B: edition mismatch");
    }

    [Fact]
    public async Task Capacity_is_the_sum_of_every_peers_option_keys_on_every_peer()
    {
        var port = Ports.Next();
        var addresses = new[] { "127.0.0.51", "127.0.0.52", "127.0.0.53" };
        var peers = new List<TestPeer>();
        try
        {
            var issuer = Issuer();
            int[][] capacity = [[10, 5], [20, 0], [1, 1]];
            for (var i = 0; i < 3; i++)
            {
                var serial = $"CAP-{i}";
                var peer = await TestPeer.StartAsync(serial, addresses[i], port);
                peers.Add(peer);
                await AddKeys(peer, issuer.IssueRelease(serial, LicenceEdition.Full), issuer.IssueOption(serial, capacity[i][0], capacity[i][1]));
            }
            var bad = await peers[0].RefusedAsync("licence.add", new JsonObject { ["key"] = issuer.IssueOption("CAP-1", 99, 99) });
            Assert.Contains("serial CAP-1", bad.Message);
            foreach (var p in peers) await Join(p, addresses);
            foreach (var p in peers)
            {
                var shown = "";
                await Ports.EventuallyAsync(async () =>
                {
                    var show = await p.CallAsync("licence.show");
                    shown = show.ToJsonString() + (await p.CallAsync("cluster.show")).ToJsonString();
                    var c = show["capacity"]!;
                    return c["personalMultiparty"]!.GetValue<int>() == 31 && c["sharedMultiparty"]!.GetValue<int>() == 6;
                }, $"capacity 31/6 on {p.Options.Bind}: {shown}", TimeSpan.FromSeconds(45));
            }
            // The peers that joined took a regular backup first (R9), listed like any other.
            var joined = 0;
            foreach (var p in peers) joined += (await p.CallAsync("backup.list"))["backups"]!.AsArray().Count;
            Assert.True(joined >= 2, $"{joined} pre-join backups");
        }
        finally
        {
            foreach (var p in peers) await p.DisposeAsync();
        }
    }

    [Fact]
    public async Task Invalid_and_mis_signed_keys_get_a_clear_error()
    {
        await using var a = await TestPeer.StartAsync("BAD-A");
        var e = await a.RefusedAsync("licence.add", new JsonObject { ["key"] = "not-a-key" });
        Assert.Contains("invalid format", e.Message);
        var stranger = new LicenceIssuer(TestVendorKey.Stranger()).IssueRelease("BAD-A", LicenceEdition.Full);
        e = await a.RefusedAsync("licence.add", new JsonObject { ["key"] = stranger });
        Assert.Contains("bad signature", e.Message);
        Assert.Equal("Essentials", (await a.CallAsync("licence.show"))["edition"]!.GetValue<string>());
    }

    private static LicenceIssuer Issuer() => TestVendorKey.Issuer();

    private static Task<JsonObject> AddKeys(TestPeer peer, params string[] keys) =>
        peer.CallAsync("licence.add", new JsonObject { ["key"] = string.Join("\n", keys) });

    private static async Task Join(TestPeer peer, params string[] addresses)
    {
        await peer.CallAsync("cluster.setKey", new JsonObject { ["key"] = Key });
        await peer.CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(addresses.Select(a => (JsonNode)a).ToArray()) });
    }

    private static string Status(JsonObject show, string address) =>
        show["peers"]!.AsArray().Single(p => p!["address"]!.GetValue<string>() == address)!["status"]!.GetValue<string>();
}
