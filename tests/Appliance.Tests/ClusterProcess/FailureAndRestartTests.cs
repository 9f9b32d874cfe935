using System.Diagnostics;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>Section 5 failure detection (3 s), R17 quick return, R11 restart changes nothing.</summary>
public class FailureAndRestartTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task SigKilledPeer_IsUnreachableWithinAboutThreeSeconds_AndActiveAgainAfterItRestarts()
    {
        await using var c = await TestCluster.StartFormedAsync(2);

        var watch = Stopwatch.StartNew();
        c[1].Kill();
        await c.WaitStatusAsync(0, 1, "Unreachable", TimeSpan.FromSeconds(15));
        var detected = watch.Elapsed;
        Assert.True(detected < TimeSpan.FromSeconds(4.5), $"detected after {detected.TotalSeconds:0.0} s (design: within 3 s)");
        Assert.Contains($"peer-unreachable:{c.Address(1)}", await c[0].ActiveAlarmIds());
        Assert.Equal("1/2 active", (string?)(await c[0].Api("status"))["cluster"]);

        await c[1].StartAsync();
        watch.Restart();
        await c.WaitAllActiveAsync(timeout: TimeSpan.FromSeconds(20));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"active again only after {watch.Elapsed.TotalSeconds:0.0} s (R17: seconds)");
        await Eventually.WaitUntil(async () => !(await c[0].ActiveAlarmIds()).Contains($"peer-unreachable:{c.Address(1)}"), Settle, "unreachable alarm lowered");
    }

    [Fact(Timeout = 150_000)]
    public async Task RestartCommand_OnAClusteredPeer_ChangesNothing()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "b1", ("address", "10.0.0.1"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("b1"), Settle, "bridge on p2");
        var id = await c[1].ClusterId();
        var pid = c[1].Pid;
        var before = await c[1].ShowAll();

        await c[1].Api("restart");
        await Eventually.WaitUntil(async () => (await c[1].LogEntries("events"))
            .Count(e => ((string?)e["message"] ?? "").Contains("starting as peer", StringComparison.Ordinal)) >= 2, Settle, "p2 restarted");
        await c[1].WaitReadyAsync(Settle);
        await c.WaitAllActiveAsync();

        Assert.Equal(pid, c[1].Pid);
        Assert.Equal(id, await c[1].ClusterId());
        Assert.Equal(id, await c[0].ClusterId());
        Assert.Equal(before, await c[1].ShowAll());
        Assert.Empty(Directory.GetFiles(Path.Combine(c[1].DataDir, "backups")).Skip(1)); // only the one copy from the join
        await c[0].Add("bridges", "after-restart", ("address", "10.0.0.2"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("after-restart"), Settle, "replication works after the restart");
    }
}
