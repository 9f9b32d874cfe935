using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>R10 leaving, R3 three peers.</summary>
public class LeaveAndThreePeerTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task Leave_MakesThePeerStandalone_KeepingItsData_AndTheOtherShowsItUnreachable()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "shared-bridge", ("address", "10.0.0.1"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("shared-bridge"), Settle, "bridge replicated");

        await c[1].Api("cluster.leave");

        var shown = await c[1].Api("cluster.show");
        Assert.Equal("", (string?)shown["clusterId"]);
        Assert.Equal("not set", (string?)shown["key"]);
        Assert.Empty(shown["peers"]!.AsArray());
        Assert.Equal("standalone", (string?)(await c[1].Api("status"))["cluster"]);
        Assert.True((await c[1].Items("bridges")).ContainsKey("shared-bridge"), "the leaver keeps a copy of the data");
        await c.WaitStatusAsync(0, 1, "Unreachable");
        await Eventually.WaitUntil(async () => (await c[0].ActiveAlarmIds()).Contains($"peer-unreachable:{c.Address(1)}"), Settle, "unreachable alarm on p1");

        // Changes on the remaining peer no longer reach the one that left.
        await c[0].Add("bridges", "after-leave", ("address", "10.0.0.3"));
        await Task.Delay(1000);
        Assert.False((await c[1].Items("bridges")).ContainsKey("after-leave"));

        // R10: the remaining peer deletes the address of the one that left; its alarm goes.
        await c[0].SetPeers(c.Address(0));
        await Eventually.WaitUntil(async () => !(await c[0].ActiveAlarmIds()).Contains($"peer-unreachable:{c.Address(1)}"), Settle, "alarm lowered on p1");
        Assert.Equal("1/1 active", (string?)(await c[0].Api("status"))["cluster"]);
    }

    [Fact(Timeout = 180_000)]
    public async Task ThreePeers_AllActive_AndTheThreePeerWarningIsRaised()
    {
        await using var c = await TestCluster.StartFormedAsync(3);

        await c.WaitAllActiveAsync();
        foreach (var p in c.Peers)
        {
            var alarm = (await p.Alarms()).FirstOrDefault(a => (string?)a["id"] == "cluster-3-peers" && string.IsNullOrEmpty((string?)a["lowered"]));
            Assert.True(alarm is not null, $"{p.Name}: no active cluster-3-peers alarm");
            Assert.Equal("warning", (string?)alarm["severity"]);
            Assert.Equal("3/3 active", (string?)(await p.Api("status"))["cluster"]);
        }
        await c[2].Add("bridges", "from-p3", ("address", "10.0.0.3"));
        await Eventually.WaitUntil(async () => (await c[0].Items("bridges")).ContainsKey("from-p3")
            && (await c[1].Items("bridges")).ContainsKey("from-p3"), Settle, "p3's write on p1 and p2");
    }
}
