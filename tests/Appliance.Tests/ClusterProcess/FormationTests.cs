using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>R9: forming a cluster of one, then a standalone peer joins and adopts the cluster's shared configuration.</summary>
public class FormationTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task Join_ReplacesSharedConfig_KeepsPeerSpecificConfig_VisibleOnTheOtherPeer_AndBacksUp()
    {
        await using var c = await TestCluster.StartAsync(2);
        var (p1, p2) = (c[0], c[1]);
        await p1.Set("ipv4.address", "10.20.0.1");
        await p1.Add("bridges", "cluster-bridge", ("address", "10.0.0.1"));
        await p2.Set("ipv4.address", "10.20.0.2");
        await p2.Set("ipv4.additional", "10.20.0.102");
        await p2.Add("bridges", "joiner-bridge", ("address", "10.0.0.2"));

        await c.FormAsync();

        var clusterId = await p1.ClusterId();
        Assert.NotEmpty(clusterId);
        Assert.Equal(clusterId, await p2.ClusterId());
        await Eventually.WaitUntil(async () => (await p2.Items("bridges")).ContainsKey("cluster-bridge"), Settle, "p2 has the cluster's bridge");
        Assert.False((await p2.Items("bridges")).ContainsKey("joiner-bridge"), "the joiner's own shared config is replaced");
        Assert.False((await p1.Items("bridges")).ContainsKey("joiner-bridge"), "the joiner's old shared config never reaches the cluster");

        // Its peer-specific configuration is kept, and replicated read-only to the other peer.
        Assert.Equal("p2", (string?)(await p2.Values("system"))["hostname"]);
        Assert.Equal("10.20.0.2", (string?)(await p2.Values("ipv4"))["address"]);
        await Eventually.WaitUntil(async () => (string?)(await p1.Values("system", peer: "p2"))["hostname"] == "p2",
            Settle, "p1 shows p2's system section (config show --peer p2)", async () => (await p1.ShowAll()));
        var p2Ipv4OnP1 = await p1.Values("ipv4", peer: "p2");
        Assert.Equal("10.20.0.2", (string?)p2Ipv4OnP1["address"]);
        Assert.Equal("10.20.0.102", (string?)p2Ipv4OnP1["additional"]![0]);
        Assert.Equal("p1", (string?)(await p2.Values("system", peer: "p1"))["hostname"]);

        // The automatic copy of what the joiner had.
        var backups = Path.Combine(p2.DataDir, "backups");
        Assert.True(Directory.Exists(backups) && Directory.EnumerateFiles(backups).Any(), $"no copy under {backups}");
        Assert.False(Directory.Exists(Path.Combine(p1.DataDir, "backups")) && Directory.EnumerateFiles(Path.Combine(p1.DataDir, "backups")).Any(),
            "the forming peer keeps no pre-join copy");
    }
}
