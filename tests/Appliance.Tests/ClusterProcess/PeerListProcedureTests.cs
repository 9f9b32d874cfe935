using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// The guide's procedures for adding a third peer and removing one, walked step by step on real
/// peers: the members keep replicating between themselves at every step (issue 18, point 11), and
/// a listed peer never seen shows "Not active yet" (R2, point 10).
/// </summary>
public class PeerListProcedureTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);
    private int _writes;

    /// <summary>A write on <paramref name="from"/> reaches every peer in <paramref name="to"/>.</summary>
    private async Task AssertReplicatesAsync(TestCluster c, string step, int from, params int[] to)
    {
        var name = $"step{++_writes}";
        await c[from].Add("bridges", name, ("address", $"10.0.1.{_writes}"));
        foreach (var t in to)
            await Eventually.WaitUntil(async () => (await c[t].Items("bridges")).ContainsKey(name), Settle,
                $"{step}: a write on {c.Host(from)} reaches {c.Host(t)}", c.DescribeAsync);
    }

    private static Task ListMismatchAlarmAsync(TestCluster c, int on, int about, bool raised) =>
        Eventually.WaitUntil(async () => (await c[on].ActiveAlarmIds()).Contains($"peer-list-mismatch:{c.Address(about)}") == raised,
            Settle, $"{c.Host(on)}: peer list alarm about {c.Host(about)} {(raised ? "raised" : "lowered")}", c.DescribeAsync);

    [Fact(Timeout = 300_000)]
    public async Task AddingAThirdPeer_ThenRemovingIt_ByTheGuide_TheMembersReplicateAtEveryStep()
    {
        await using var c = await TestCluster.StartAsync(3);
        await c.FormOnFirstAsync();
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await c[1].SetKey(TestCluster.Key);
        await c[1].SetPeers(c.Address(0), c.Address(1));
        await c.WaitAllActiveAsync(2);
        await AssertReplicatesAsync(c, "formed", 1, 0);

        // Task 3 on peer 1 only: its list names peer 3, peer 2's does not yet.
        string[] three = [c.Address(0), c.Address(1), c.Address(2)];
        await c[0].SetPeers(three);
        await ListMismatchAlarmAsync(c, 0, 1, raised: true);
        await ListMismatchAlarmAsync(c, 1, 0, raised: true);
        await AssertReplicatesAsync(c, "only p1 lists p3", 1, 0);
        await AssertReplicatesAsync(c, "only p1 lists p3", 0, 1);
        await c.WaitStatusAsync(0, 1, "Active as p2");
        await c.WaitStatusAsync(0, 2, "Not active yet");

        // Task 3 on peer 2: the lists agree again, peer 3 is not configured yet.
        await c[1].SetPeers(three);
        await ListMismatchAlarmAsync(c, 0, 1, raised: false);
        await ListMismatchAlarmAsync(c, 1, 0, raised: false);
        await AssertReplicatesAsync(c, "both list p3", 1, 0);
        await c.WaitStatusAsync(1, 2, "Not active yet");

        // Task 5: peer 3 gets the key and the list and joins.
        await c[2].SetKey(TestCluster.Key);
        await c[2].SetPeers(three);
        await c.WaitAllActiveAsync(3);
        await AssertReplicatesAsync(c, "p3 joined", 1, 0, 2);

        // Removal, Task 1: peer 3 goes standalone. Task 2: each remaining peer deletes its address, one at a time.
        await c[2].Api("cluster.leave");
        await AssertReplicatesAsync(c, "p3 left", 1, 0);
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await ListMismatchAlarmAsync(c, 0, 1, raised: true);
        await AssertReplicatesAsync(c, "only p1 dropped p3", 1, 0);
        await AssertReplicatesAsync(c, "only p1 dropped p3", 0, 1);
        await c[1].SetPeers(c.Address(0), c.Address(1));
        await ListMismatchAlarmAsync(c, 0, 1, raised: false);
        await ListMismatchAlarmAsync(c, 1, 0, raised: false);
        await AssertReplicatesAsync(c, "both dropped p3", 1, 0);
        Assert.False((await c[2].Items("bridges")).ContainsKey($"step{_writes}"), "the peer that left gets nothing");
    }

    [Fact(Timeout = 120_000)]
    public async Task ListedPeer_NeverSeen_IsNotActiveYet()
    {
        await using var c = await TestCluster.StartAsync(1);
        var absent = LoopbackAddresses.Next(); // listed, nothing runs there yet (the guide's Task 3)
        await c.FormOnFirstAsync();
        await c[0].SetPeers(c.Address(0), absent);

        // After the first failed attempts, not merely while connecting.
        await Eventually.WaitUntil(async () => (await c[0].LogEntries("events")).Any(e => ((string?)e["message"])?.Contains($"link to {absent}:") == true),
            Settle, "a first failed attempt");
        Assert.Equal("Not active yet (never seen)", await c[0].PeerStatus(absent));
    }
}
