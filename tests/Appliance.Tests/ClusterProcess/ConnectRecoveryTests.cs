using System.Diagnostics;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>Anti-entropy runs when a peer connects, not only on the 60 s safety net (issue 4).</summary>
public class ConnectRecoveryTests
{
    [Fact(Timeout = 150_000)]
    public async Task A_record_outside_the_operation_log_reaches_the_other_peer_soon_after_the_link_comes_up()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        // p2 joined with operations of its own that p1 then pulls through the catch-up path: let that finish first.
        await Eventually.WaitUntil(async () => (bool)(await c[0].Api("cluster.verify"))["inSync"]!, TestCluster.SettleTimeout, "the peers in sync after the join");
        await c[0].StopAsync();
        await c[1].StopAsync();
        // A merged record (as recovery or a restore leaves it) has no operation: only a recovery pull carries it.
        using (var store = Store.Open(c[0].DataDir))
        {
            var value = """{"name":"merged","bridge":"b1","template":"t1","participants":4,"started":"2026-01-01T10:00:00Z"}""";
            // Written by a peer whose log this one has never streamed (as a restored backup can leave it).
            const string origin = "0d15ea5e-0000-4000-8000-000000000001";
            var record = new StoredRecord(Scopes.Cluster, "conferences", "merged", value, new RecordVersion(store.Clock.Now(), origin));
            store.MergeRecords([new Operation(origin, 1, record, RecordVersion.None)]);
        }

        // Both restart, so neither safety-net timer is due for 60 s: only the pull on connect can repair this in time.
        await Task.WhenAll(c[0].StartAsync(), c[1].StartAsync());
        var restarted = Stopwatch.StartNew();
        await c.WaitAllActiveAsync();
        var active = restarted.Elapsed;
        await Eventually.WaitUntil(async () => (await c[1].Items("conferences")).ContainsKey("merged"), TimeSpan.FromSeconds(30),
            "the merged record on p2", async () => string.Join(", ", (await c[1].Items("conferences")).Keys));
        var repaired = restarted.Elapsed;
        Assert.True(repaired < ClusterService.SafetyNetInterval / 2,
            $"repaired {repaired.TotalSeconds:0.0} s after the restart (links active after {active.TotalSeconds:0.0} s)");
        Assert.Equal(4, (int)(await c[1].Items("conferences"))["merged"]["participants"]!);
    }
}
