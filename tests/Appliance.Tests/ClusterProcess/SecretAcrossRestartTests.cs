using Appliance.Daemon.Cluster;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// A peer keeps the secret it derived for its key and cluster id in its own store, beside the key:
/// after a restart it proves with it at once instead of spending the KDF's second first (the other
/// peer never has to refuse it as still deriving); leaving the cluster drops it with the key.
/// </summary>
public class SecretAcrossRestartTests
{
    [Fact(Timeout = 150_000)]
    public async Task A_restarted_peer_proves_with_the_secret_it_kept_a_damaged_one_is_derived_again_and_leaving_drops_it()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[1].StopAsync();
        using (var store = Store.Open(c[1].DataDir))
            Assert.NotNull(store.GetLocal(ClusterSettings.SecretName));
        var refusedBefore = await DerivingRefusalsAsync(c[0]);

        await c[1].StartAsync();
        await c.WaitAllActiveAsync();
        var refusedAfter = await DerivingRefusalsAsync(c[0]);
        Assert.True(refusedBefore == refusedAfter, $"p1 refused the restarted p2 as still deriving ({refusedAfter - refusedBefore} times)");

        // A damaged kept secret is derived again, never a daemon that does not start.
        await c[1].StopAsync();
        using (var store = Store.Open(c[1].DataDir))
        {
            var kept = store.GetLocal(ClusterSettings.SecretName)!;
            store.SetLocal(ClusterSettings.SecretName, kept[..kept.LastIndexOf(' ')] + " not-base64!");
        }
        await c[1].StartAsync();
        await c.WaitAllActiveAsync();

        await c[1].Api("cluster.leave");
        await c[1].StopAsync();
        using (var store = Store.Open(c[1].DataDir))
            Assert.Null(store.GetLocal(ClusterSettings.SecretName));
    }

    /// <summary>How often p1 refused a dialer that was still deriving the secret (ProofRefusedException's text).</summary>
    private static async Task<int> DerivingRefusalsAsync(DaemonProcess peer) =>
        (await peer.LogEntries("events")).Count(e => ((string?)e["message"] ?? "").Contains("is deriving the secret", StringComparison.Ordinal));
}
