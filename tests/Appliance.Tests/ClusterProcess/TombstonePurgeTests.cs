using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Issue 18 point 15: tombstones are purged once every member acknowledged them (after the grace
/// period), the store file gives the space back, and a peer away through the purge rejoins without
/// bringing a deleted record back. Real daemons on loopback, with the grace (and horizon) made short.
/// </summary>
public class TombstonePurgeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Bulk = TimeSpan.FromMinutes(4);

    [Fact(Timeout = 600_000)]
    public async Task TenThousandRecordsAddedThenDeleted_ArePurged_TheStoreShrinksBack_AndBothPeersAgree()
    {
        await using var c = await StartFormedAsync(grace: 2, horizon: 3600);
        const int n = 10_000;
        await Eventually.WaitUntil(async () => await InSyncAsync(c[0]), Settle, "formed peers in sync");
        var before = new[] { FileBytes(c[0]), FileBytes(c[1]) };

        await ForEachAsync(Names(n), name => c[0].Add("locations", name, ("description", "filler")));
        await Eventually.WaitUntil(async () => (await c[1].Items("locations")).Count == n, Bulk, $"{n} locations on p2", pollMs: 1000);
        var peak = new[] { FileBytes(c[0]), FileBytes(c[1]) };
        await ForEachAsync(Names(n), name => c[0].Remove("locations", name));

        // Tolerance: the rebuilt file holds the same live records as before the 10,000 came, and LiteDB
        // allocates in 8 KiB pages: a few pages either way (index pages split differently, the purge
        // horizon and positions in meta, and the pages of the last few tombstones purged after the
        // rebuild, fewer than Store.CompactAfterRemoved). 64 KiB is under 2% of what the records added.
        const long tolerance = 64 * 1024;
        for (var i = 0; i < 2; i++)
        {
            var peer = c[i];
            var (start, top) = (before[i], peak[i]);
            await Eventually.WaitUntil(async () => FileBytes(peer) <= start + tolerance && await Tombstones(peer) == 0, Bulk,
                $"{peer.Name}'s store file back to about {start} bytes (it grew to {top}), no tombstone left",
                () => Task.FromResult($"store file {FileBytes(peer)} bytes; {peer.Tail(8)}"), pollMs: 500);
            output.WriteLine($"{peer.Name}: {start} bytes before, {top} with {n} records, {FileBytes(peer)} after the purge");
            Assert.True(top - start > 20 * tolerance, $"{peer.Name}: {n} records grew the file only from {start} to {top} bytes");
        }
        Assert.Empty(await c[1].Items("locations"));
        await Eventually.WaitUntil(async () => await InSyncAsync(c[0]) && await InSyncAsync(c[1]), Settle, "cluster verify: in sync on both peers",
            async () => (await c[0].Api("cluster.verify")).ToJsonString());

        // The rebuilt file is the store now: a write acknowledged on it survives SIGKILL.
        await c[0].Add("locations", "after-rebuild", ("description", "filler"));
        c[0].Kill();
        await c[0].StartAsync();
        Assert.Equal(["after-rebuild"], (await c[0].Items("locations")).Keys.ToList());
    }

    [Fact(Timeout = 600_000)]
    public async Task APeerKilledThroughTheDeleteAndThePurge_ComesBack_WithoutResurrectingAnyDeletedRecord()
    {
        await using var c = await StartFormedAsync(grace: 1, horizon: 4);
        const int n = 1000;
        await ForEachAsync(Names(n), name => c[0].Add("locations", name, ("description", "filler")));
        await c[1].Add("locations", "kept", ("description", "filler"));
        await Eventually.WaitUntil(async () => (await c[1].Items("locations")).Count == n + 1, Bulk, $"{n + 1} locations on p2");

        c[1].Kill();
        await ForEachAsync(Names(n), name => c[0].Remove("locations", name));
        // p2 never acknowledged these deletes: they go once past the 4 s horizon.
        await Eventually.WaitUntil(async () => await Tombstones(c[0]) == 0, Settle, "p1 purges the deletes p2 never saw",
            async () => $"{await Tombstones(c[0])} tombstones on p1");

        await c[1].StartAsync();
        await c.WaitAllActiveAsync(timeout: Settle);
        await Eventually.WaitUntil(async () => (await c[1].Items("locations")).Count == 1, Settle, "p2 drops its stale copies of the purged records",
            async () => $"{(await c[1].Items("locations")).Count} locations on p2");
        await Eventually.WaitUntil(async () => await InSyncAsync(c[0]) && await InSyncAsync(c[1]), Settle, "cluster verify: in sync on both peers",
            async () => (await c[0].Api("cluster.verify")).ToJsonString());
        // Both sides have pulled from each other since (on connect, 3 s after the link came up): nothing came back.
        foreach (var peer in c.Peers)
        {
            var items = await peer.Items("locations");
            Assert.Equal(["kept"], items.Keys.ToList());
            Assert.Equal(0, await Tombstones(peer));
        }
    }

    [Fact(Timeout = 600_000)]
    public async Task ATombstoneAMemberHasNotAcknowledged_IsNotPurged_BeforeTheHorizon_AndIsOnceItComesBack()
    {
        await using var c = await StartFormedAsync(grace: 1, horizon: 3600);
        const int n = 100;
        await ForEachAsync(Names(n), name => c[0].Add("locations", name, ("description", "filler")));
        await Eventually.WaitUntil(async () => (await c[1].Items("locations")).Count == n, Bulk, $"{n} locations on p2");

        c[1].Kill();
        await ForEachAsync(Names(n), name => c[0].Remove("locations", name));
        // The purger looks every second (a quarter of the grace, at least 1 s): ten passes over tombstones past their grace.
        await Task.Delay(TimeSpan.FromSeconds(10));
        Assert.Equal(n, await Tombstones(c[0]));

        await c[1].StartAsync();
        await Eventually.WaitUntil(async () => await Tombstones(c[0]) == 0 && await Tombstones(c[1]) == 0, Settle,
            "acknowledged by p2 on its return, the tombstones are purged on both peers",
            async () => $"{await Tombstones(c[0])} and {await Tombstones(c[1])} tombstones");
        Assert.Empty(await c[1].Items("locations"));
        Assert.Empty(await c[0].Items("locations"));
    }

    private static async Task<TestCluster> StartFormedAsync(int grace, int horizon)
    {
        var c = await TestCluster.StartAsync(2, extraArgs: _ =>
            ["--tombstone-grace-seconds", $"{grace}", "--tombstone-horizon-seconds", $"{horizon}"]);
        try
        {
            await c.FormAsync();
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    private static IEnumerable<string> Names(int n) => Enumerable.Range(0, n).Select(i => $"t{i}");

    /// <summary>API calls from a few writers at once: group commit makes 10,000 writes take seconds, not minutes.</summary>
    private static Task ForEachAsync(IEnumerable<string> names, Func<string, Task> call) =>
        Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (name, _) => await call(name));

    /// <summary>The store file and LiteDB's log beside it, as the disk holds them.</summary>
    private static long FileBytes(DaemonProcess d)
    {
        var log = new FileInfo(Path.Combine(d.DataDir, "store-log.db"));
        return new FileInfo(d.StoreFile).Length + (log.Exists ? log.Length : 0);
    }

    private static async Task<JsonObject> StoreStatus(DaemonProcess d) =>
        (await d.Api("status"))["store"]?.AsObject() ?? throw new InvalidOperationException("status has no 'store' object");

    private static async Task<int> Tombstones(DaemonProcess d) => (int)(await StoreStatus(d))["tombstones"]!;

    private static async Task<bool> InSyncAsync(DaemonProcess d) => (bool)(await d.Api("cluster.verify"))["inSync"]!;
}
