using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>R2/R4: a wrong key or a different software version shows on both sides, and no data crosses.</summary>
public class RefusalTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    /// <summary>p1 forms a cluster with a bridge; p2 has its own bridge; both list each other.</summary>
    internal static async Task ListEachOtherAsync(TestCluster c, string p2Key, string[]? p2List = null)
    {
        await c[0].Add("bridges", "from-p1", ("address", "10.0.0.1"));
        await c[1].Add("bridges", "from-p2", ("address", "10.0.0.2"));
        await c[0].SetKey(TestCluster.Key);
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await c[1].SetKey(p2Key);
        await c[1].SetPeers(p2List ?? [c.Address(0), c.Address(1)]);
    }

    internal static async Task AssertNoDataCrossedAsync(TestCluster c)
    {
        await Task.Delay(1500); // give a wrong replication every chance to happen
        Assert.False((await c[0].Items("bridges")).ContainsKey("from-p2"));
        Assert.False((await c[1].Items("bridges")).ContainsKey("from-p1"));
        Assert.True((await c[1].Items("bridges")).ContainsKey("from-p2"), "p2 keeps its own data");
        await Assert.ThrowsAsync<DaemonApiException>(() => c[0].Values("system", peer: "p2"));
        await Assert.ThrowsAsync<DaemonApiException>(() => c[1].Values("system", peer: "p1"));
    }

    [Fact(Timeout = 120_000)]
    public async Task WrongKey_ShowsKeyMismatch_OnBothSides_AndNoDataCrosses()
    {
        await using var c = await TestCluster.StartAsync(2);
        await ListEachOtherAsync(c, "a-completely-different-key");

        await c.WaitStatusAsync(0, 1, "Key mismatch");
        await c.WaitStatusAsync(1, 0, "Key mismatch");
        await Eventually.WaitUntil(async () => (await c[0].ActiveAlarmIds()).Contains($"peer-key-mismatch:{c.Address(1)}"), Settle, "key alarm on p1");
        await AssertNoDataCrossedAsync(c);
        Assert.Equal("", await c[1].ClusterId());
    }

    [Fact(Timeout = 120_000)]
    public async Task SoftwareVersionMismatch_ShowsThePeersVersion_OnBothSides_AndNoDataCrosses()
    {
        await using var c = await TestCluster.StartAsync(2, extraArgs: i => i == 1 ? ["--report-version", "9.9.9"] : []);
        var p1Version = (string)(await c[0].Api("status"))["version"]!;
        await ListEachOtherAsync(c, TestCluster.Key);

        await c.WaitStatusAsync(0, 1, "Software version mismatch (peer runs 9.9.9)");
        await c.WaitStatusAsync(1, 0, $"Software version mismatch (peer runs {p1Version})");
        await Eventually.WaitUntil(async () => (await c[0].ActiveAlarmIds()).Contains($"peer-version-mismatch:{c.Address(1)}"), Settle, "version alarm on p1");
        await AssertNoDataCrossedAsync(c);
    }
}
