using System.Text.Json.Nodes;

namespace Appliance.Tests.Maintenance;

/// <summary>`cluster check` (R5, R13) reports each prerequisite with ok / fail / warn and a detail.</summary>
public sealed class ClusterCheckTests
{
    [Fact]
    public async Task Standalone_peer_lists_what_blocks_clustering()
    {
        await using var peer = await TestPeer.StartAsync("CHK-A", "127.0.0.61", Ports.Next());
        var checks = await Checks(peer);
        Assert.Equal("fail", checks["dns"].State);
        Assert.Equal("fail", checks["host name and domain"].State);
        Assert.Equal("fail", checks["licence"].State);
        Assert.Equal("ok", checks["cluster"].State);

        await peer.SetAsync("dns.servers", "198.18.0.53");
        await peer.SetAsync("system.domain", "example.test");
        checks = await Checks(peer);
        Assert.Equal("ok", checks["dns"].State);
        Assert.Equal("ok", checks["host name and domain"].State);
        Assert.Contains(checks["ntp"].State, new[] { "ok", "warn", "fail" });
    }

    [Fact]
    public async Task Clustered_peer_reports_versions_that_differ_and_unreachable_ports()
    {
        var port = Ports.Next();
        await using var a = await TestPeer.StartAsync("CHK-B", "127.0.0.62", port, version: "1.0.0");
        await using var b = await TestPeer.StartAsync("CHK-C", "127.0.0.63", port, version: "1.1.0");
        foreach (var (p, serial) in new[] { (a, "CHK-B"), (b, "CHK-C") })
        {
            await p.CallAsync("licence.add", new JsonObject { ["key"] = Licensing.TestVendorKey.Issuer().IssueRelease(serial, Daemon.Licensing.LicenceEdition.Full) });
            await p.CallAsync("cluster.setKey", new JsonObject { ["key"] = "cluster check test key" });
            await p.CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray("127.0.0.62", "127.0.0.63") });
        }
        await Ports.EventuallyAsync(async () => (await Checks(a)).TryGetValue("peer 127.0.0.63 version", out var c) && c.State == "fail", "version check");
        var checks = await Checks(a);
        Assert.Contains("version", checks["peer 127.0.0.63 version"].Detail);
        Assert.Equal("ok", checks["peer 127.0.0.63 4371"].State);
        Assert.Equal("fail", checks["peer 127.0.0.63 4372"].State);
    }

    private static async Task<Dictionary<string, (string State, string Detail)>> Checks(TestPeer peer) =>
        (await peer.CallAsync("cluster.check"))["checks"]!.AsArray()
            .ToDictionary(c => c!["check"]!.GetValue<string>(), c => (c!["state"]!.GetValue<string>(), c["detail"]!.GetValue<string>()));
}
