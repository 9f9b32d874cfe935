using System.Text.Json.Nodes;
using Appliance.Tests.Licensing;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Issue 18, removal: a removed peer is forgotten (its records, licences and addresses go), the
/// guide's removal steps map onto the CLI, a stale list is seen from the listed peer too.
/// </summary>
public class RemovalTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    private static async Task AddOptionAsync(DaemonProcess p, int personal, int shared)
    {
        var serial = (string)(await p.Api("licence.show"))["serial"]!;
        await p.Api("licence.add", new JsonObject { ["key"] = TestVendorKey.Issuer().IssueOption(serial, personal, shared) });
    }

    private static async Task<(int Personal, int Shared, int Peers)> CapacityAsync(DaemonProcess p)
    {
        var shown = await p.Api("licence.show");
        return ((int)shown["capacity"]!["personalMultiparty"]!, (int)shown["capacity"]!["sharedMultiparty"]!, shown["peers"]!.AsArray().Count);
    }

    /// <summary>The guide's first step: the key and only its own address make a cluster of one.</summary>
    private static async Task FormAloneAsync(TestCluster c, int peer, string key)
    {
        await c[peer].SetKey(key);
        await c[peer].SetPeers(c.Address(peer));
        await Eventually.WaitUntil(async () => (await c[peer].ClusterId()).Length > 0, Settle, $"{c.Host(peer)} forms a cluster");
    }

    private static async Task<Dictionary<string, string>> CheckAsync(DaemonProcess p) =>
        (await p.Api("cluster.check"))["checks"]!.AsArray().Select(c => c!.AsObject())
            .ToDictionary(c => (string)c["check"]!, c => $"{c["state"]}: {c["detail"]}");

    [Fact(Timeout = 240_000)]
    public async Task LeftPeer_IsForgotten_ItsLicencesAddressesAndRecordsGo_OnBothSides()
    {
        await using var c = await TestCluster.StartAsync(2);
        await c[1].Set("ipv4.address", "10.31.0.2");
        await c[1].Set("ipv4.additional", "10.31.0.102");
        await c.FormAsync();
        await AddOptionAsync(c[0], 5, 10);
        await AddOptionAsync(c[1], 5, 10);
        await Eventually.WaitUntil(async () => await CapacityAsync(c[0]) == (10, 20, 2), Settle, "both peers' options counted on p1",
            async () => (await c[0].Api("licence.show")).ToJsonString());
        var taken = await Assert.ThrowsAsync<DaemonApiException>(() => c[0].Set("ipv4.additional", "10.31.0.102"));
        Assert.Contains("is already peer 2's", taken.ErrorMessage, StringComparison.Ordinal);

        // The guide: the peer leaves, then the others delete its address.
        await c[1].Api("cluster.leave");
        await c[0].SetPeers(c.Address(0));

        await Eventually.WaitUntil(async () => await CapacityAsync(c[0]) == (5, 10, 1), Settle, "p2's options no longer counted on p1",
            async () => (await c[0].Api("licence.show")).ToJsonString());
        Assert.Equal("ok", (string?)(await c[0].Api("licence.show"))["cluster"]);
        await c[0].Set("ipv4.additional", "10.31.0.102"); // p2's address is free again
        Assert.Contains(await c[0].LogEntries("events"), e => ((string?)e["message"] ?? "").Contains("forgot peer p2", StringComparison.Ordinal));

        // The peer that left forgets the cluster it left: no stale-peers warning, only its own licence.
        await Eventually.WaitUntil(async () => (await CheckAsync(c[1]))["stale peers"].StartsWith("ok", StringComparison.Ordinal), Settle,
            "stale peers warning cleared on p2", async () => string.Join("\n", await CheckAsync(c[1])));
        Assert.Equal((5, 10, 1), await CapacityAsync(c[1]));

        // Nor do p1's keys count in the next cluster p2 forms.
        await FormAloneAsync(c, 1, TestCluster.Key);
        Assert.Equal((5, 10, 1), await CapacityAsync(c[1]));
    }

    [Fact(Timeout = 300_000)]
    public async Task ClusterForget_RefusedWhileThePeerAnswers_ThenDeletesItsRecordsOnEveryMember()
    {
        await using var c = await TestCluster.StartFormedAsync(3);
        await Eventually.WaitUntil(async () => (await CapacityAsync(c[0])).Peers == 3 && (await CapacityAsync(c[1])).Peers == 3,
            Settle, "p3's records on p1 and p2");

        // p1 takes p3 out of its list; p2 still names it, so p3 is not gone by agreement.
        await c[0].SetPeers(c.Address(0), c.Address(1));
        var listed = await Assert.ThrowsAsync<DaemonApiException>(() => c[1].Api("cluster.forget", new JsonObject { ["address"] = c.Address(2) }));
        Assert.Equal("conflict", listed.Kind);
        Assert.Contains("still in this peer's list", listed.ErrorMessage, StringComparison.Ordinal);
        // p3's membership record (its published address) may reach p1 a moment after its licences:
        // until then p1 knows no peer at that address ("notfound").
        DaemonApiException alive = null!;
        await Eventually.WaitUntil(async () =>
        {
            alive = await Assert.ThrowsAsync<DaemonApiException>(() => c[0].Api("cluster.forget", new JsonObject { ["address"] = c.Address(2) }));
            return alive.Kind != "notfound";
        }, Settle, "p1 knows p3's address");
        Assert.Equal("conflict", alive.Kind);
        Assert.Contains("reachable", alive.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("address", (string?)alive.Error["field"]);
        await Task.Delay(ClusterForgetGrace);
        Assert.Equal(3, (await CapacityAsync(c[0])).Peers); // nothing forgotten on a guess

        // p3 dies for good: forget it on p1; once p2's list is updated too, p2 holds none of it either.
        await c[2].StopAsync();
        var forgot = await c[0].Api("cluster.forget", new JsonObject { ["address"] = c.Address(2) });
        Assert.True((int)forgot["deleted"]! > 0, forgot.ToJsonString());
        Assert.Equal(2, (await CapacityAsync(c[0])).Peers);
        var unknown = await Assert.ThrowsAsync<DaemonApiException>(() => c[0].Api("cluster.forget", new JsonObject { ["address"] = c.Address(2) }));
        Assert.Equal("notfound", unknown.Kind);
        await c[1].SetPeers(c.Address(0), c.Address(1));
        await Eventually.WaitUntil(async () => (await CapacityAsync(c[1])).Peers == 2, Settle, "p3's records gone on p2");
        await c.WaitAllActiveAsync(2);

        // p3 was only cut off after all: back with its cluster id and listed again without leaving,
        // it is refused (it would receive the tombstones of its own settings) and keeps its settings.
        await c[2].StartAsync();
        await c[0].SetPeers(c.Address(0), c.Address(1), c.Address(2));
        await c[1].SetPeers(c.Address(0), c.Address(1), c.Address(2));
        await c.WaitStatusAsync(0, 2, "Forgotten by the cluster");
        await c.WaitStatusAsync(1, 2, "Forgotten by the cluster");
        Assert.Equal("p3", (string?)(await c[2].Values("system"))["hostname"]);

        // It leaves and joins again: its records come back everywhere.
        await c[2].Api("cluster.leave");
        await c[2].SetKey(TestCluster.Key);
        await c[2].SetPeers(c.Address(0), c.Address(1), c.Address(2));
        await c.WaitAllActiveAsync();
        await Eventually.WaitUntil(async () => (await CapacityAsync(c[0])).Peers == 3, Settle, "p3's records back on p1");
        Assert.Equal("p3", (string?)(await c[2].Values("system"))["hostname"]);
    }

    /// <summary>Longer than ClusterService.ForgetAfter plus a loop turn.</summary>
    private static readonly TimeSpan ClusterForgetGrace = TimeSpan.FromSeconds(8);

    [Fact(Timeout = 300_000)]
    public async Task GuideRemoval_UnsettingKeyThenPeers_LeavesCleanly_AndThePeerJoinsAnotherCluster()
    {
        await using var c = await TestCluster.StartAsync(3);
        // Cluster A: p1 and p2. Cluster B: p3 alone.
        await FormAloneAsync(c, 0, TestCluster.Key);
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await c[1].SetKey(TestCluster.Key);
        await c[1].SetPeers(c.Address(0), c.Address(1));
        await c.WaitStatusAsync(1, 0, "Active as p1");
        await FormAloneAsync(c, 2, "another-cluster-key-for-b");
        var clusterB = await c[2].ClusterId();

        // The guide's Task 1: delete the key, then the peer addresses.
        await c[1].Api("config.unset", new JsonObject { ["path"] = "cluster.key" });
        Assert.Equal("", await c[1].ClusterId());
        await c[1].Api("config.unset", new JsonObject { ["path"] = "cluster.peers" });
        await c[0].SetPeers(c.Address(0));

        // It joins B.
        await c[2].SetPeers(c.Address(2), c.Address(1));
        await c[1].SetKey("another-cluster-key-for-b");
        await c[1].SetPeers(c.Address(2), c.Address(1));
        await c.WaitStatusAsync(1, 2, "Active as p3");
        await c.WaitStatusAsync(2, 1, "Active as p2");
        Assert.Equal(clusterB, await c[1].ClusterId());

        // Unsetting only the peers leaves too: the id goes, the key stays as the operator left it.
        await c[0].Api("config.unset", new JsonObject { ["path"] = "cluster.peers" });
        var shown = await c[0].Api("cluster.show");
        Assert.Equal("", (string?)shown["clusterId"]);
        Assert.Equal("set", (string?)shown["key"]);
    }

    /// <summary>
    /// The guide's rolling upgrade on two peers (found by the two-VM boot test): p2 leaves and forms a
    /// cluster of its own while p1, which forgot p2, serves alone; then p1 leaves and joins p2's
    /// cluster. p1 holds only tombstones of p2's records, which must not make it refuse p2 as
    /// "Forgotten by the cluster": p2 is another cluster now, the one p1 joins.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task RollingUpgradeOrder_APeerJoinsTheClusterThatAPeerItForgotFormed()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await Eventually.WaitUntil(async () => (await CapacityAsync(c[1])).Peers == 2, Settle, "both peers known on p2");

        await c[1].Api("cluster.leave");
        await c[0].SetPeers(c.Address(0));
        await Eventually.WaitUntil(async () => (await CapacityAsync(c[0])).Peers == 1, Settle, "p1 forgot p2");
        await FormAloneAsync(c, 1, TestCluster.Key);
        await c[1].Add("bridges", "added-in-p2s-cluster", ("address", "198.18.0.50"));

        await c[0].Api("cluster.leave");
        await c[1].SetPeers(c.Address(0), c.Address(1));
        await c[0].SetKey(TestCluster.Key);
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await c.WaitStatusAsync(0, 1, "Active as p2");
        await c.WaitStatusAsync(1, 0, "Active as p1");
        Assert.Equal(await c[1].ClusterId(), await c[0].ClusterId());
        Assert.Equal(2, (await CapacityAsync(c[0])).Peers);
        await Eventually.WaitUntil(async () => (await c[0].Api("config.show", new JsonObject { ["section"] = "bridges" })).ToJsonString().Contains("added-in-p2s-cluster"),
            Settle, "p1 has p2's cluster's data");
    }

    [Fact(Timeout = 300_000)]
    public async Task StaleList_OfAStranger_RaisesAnAlarmOnTheListedPeer_AndFailsItsCheck()
    {
        await using var c = await TestCluster.StartAsync(3);
        await FormAloneAsync(c, 0, TestCluster.Key);
        var alarm = $"listed-by:{c.Address(2)}";
        var check = $"listed by {c.Address(2)}";

        // p3's list names p1 (same key, no cluster id): it gets as far as its Hello.
        await c[2].SetKey(TestCluster.Key);
        await c[2].SetPeers(c.Address(0), c.Address(2));
        await Eventually.WaitUntil(async () => (await c[0].ActiveAlarmIds()).Contains(alarm), Settle, "alarm on p1",
            async () => string.Join("\n", await c[0].ActiveAlarmIds()));
        Assert.StartsWith("fail", (await CheckAsync(c[0]))[check], StringComparison.Ordinal);

        // p3 forms a cluster of its own: it no longer dials p1, the alarm goes.
        await c[2].SetPeers(c.Address(2));
        await Eventually.WaitUntil(async () => !(await c[0].ActiveAlarmIds()).Contains(alarm), Settle, "alarm lowered on p1");
        Assert.False((await CheckAsync(c[0])).ContainsKey(check));

        // Its list names p1 again, now from another cluster: refused in the key proof, still seen.
        await c[2].SetPeers(c.Address(0), c.Address(2));
        await Eventually.WaitUntil(async () => (await c[0].ActiveAlarmIds()).Contains(alarm), Settle, "alarm on p1 again");
        Assert.Contains("another cluster", (await CheckAsync(c[0]))[check], StringComparison.Ordinal);
    }
}
