using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>Section 4: last writer wins everywhere, conflicts logged, tombstones, catch-up after downtime.</summary>
public class ConvergenceTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 150_000)]
    public async Task ConcurrentWrites_ToTheSameRecords_ConvergeEverywhere_AndAConflictIsLogged()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        const int n = 10;
        for (var i = 0; i < n; i++) await c[0].Add("bridges", $"b{i}", ("address", "10.0.0.1"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).Count == n, Settle, "bridges on p2");

        var conflicted = false;
        for (var round = 1; round <= 3 && !conflicted; round++)
        {
            var r = round;
            await Task.WhenAll(
                Task.Run(async () => { for (var i = 0; i < n; i++) await c[0].Set($"bridges.b{i}.address", $"10.1.{r}.{i + 1}"); }),
                Task.Run(async () => { for (var i = 0; i < n; i++) await c[1].Set($"bridges.b{i}.address", $"10.2.{r}.{i + 1}"); }));
            await Eventually.WaitUntil(async () => await SameBridgesAsync(c), Settle, "both peers hold the same bridges",
                async () => $"p1 {(await c[0].Items("bridges")).Values.Select(b => b.ToJsonString()).Aggregate((x, y) => x + y)}");
            conflicted = await HasConflictAsync(c[0]) || await HasConflictAsync(c[1]);
        }
        Assert.True(conflicted, "no 'conflict' entry in either peer's configuration log after 3 rounds of concurrent writes");
    }

    private static async Task<bool> SameBridgesAsync(TestCluster c)
    {
        var (a, b) = (await c[0].Items("bridges"), await c[1].Items("bridges"));
        return a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var o) && o.ToJsonString() == kv.Value.ToJsonString());
    }

    private static async Task<bool> HasConflictAsync(DaemonProcess d) =>
        (await d.LogEntries("config")).Any(e => (string?)e["level"] == "conflict");

    [Fact(Timeout = 150_000)]
    public async Task Remove_OnOnePeer_IsGoneOnTheOther_AlsoWhenItWasDownAtTheTime()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "doomed", ("address", "10.0.0.1"));
        await c[0].Add("bridges", "doomed-offline", ("address", "10.0.0.2"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).Count == 2, Settle, "bridges on p2");

        await c[1].Remove("bridges", "doomed");
        await Eventually.WaitUntil(async () => !(await c[0].Items("bridges")).ContainsKey("doomed"), Settle, "p2's remove reaches p1");

        await c[1].StopAsync();
        await c[0].Remove("bridges", "doomed-offline");
        await c[1].StartAsync();
        await Eventually.WaitUntil(async () => !(await c[1].Items("bridges")).ContainsKey("doomed-offline"), Settle, "the remove made while p2 was down reaches it");
        await Task.Delay(1000); // and no peer resurrects a removed item
        Assert.Empty(await c[0].Items("bridges"));
        Assert.Empty(await c[1].Items("bridges"));
    }

    [Fact(Timeout = 150_000)]
    public async Task CatchUp_APeerThatWasDown_GetsTheFiftyChangesMadeMeanwhile()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[1].StopAsync();
        for (var i = 0; i < 50; i++) await c[0].AddConference($"offline{i}", i);

        await c[1].StartAsync();

        await Eventually.WaitUntil(async () => (await c[1].Items("conferences")).Count == 50, Settle, "p2 holds all 50 conferences",
            async () => $"{(await c[1].Items("conferences")).Count} conferences on p2");
        var got = await c[1].Items("conferences");
        Assert.Equal(49, (int)got["offline49"]["participants"]!);
        await c.WaitAllActiveAsync();
    }
}
