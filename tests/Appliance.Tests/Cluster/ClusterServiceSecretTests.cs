using System.Net;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Node;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Cluster;

/// <summary>
/// What a peer's ClusterService runs the key proof with, from its real store: the key salted with
/// its cluster id, and, while it has none, whose announced id it will derive a secret for.
/// </summary>
public sealed class ClusterServiceSecretTests : IDisposable
{
    private const string Key = "correct horse battery staple 42";
    private static readonly ClusterNodeInfo Info = new("1.0.0", () => "host", () => null, () => ("full", "licensed"), 0, 0);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_clusters_sharing_a_key_prove_with_different_secrets()
    {
        var a = await ProofSecretAsync("a", "cluster-a");
        var b = await ProofSecretAsync("b", "cluster-b");
        var standalone = await ProofSecretAsync("c", null);

        Assert.NotEqual(a, b);
        Assert.NotEqual(a, standalone);
        Assert.Equal(a, await ProofSecretAsync("a2", "cluster-a"));
    }

    [Fact]
    public async Task Without_a_cluster_id_it_adopts_an_announced_id_only_from_a_listed_peer()
    {
        using var store = StoreClass.Open(_dir["listed"]);
        store.SetLocal(ClusterSettings.KeyName, Key);
        ClusterSettings.SavePeers(store, ["127.0.0.41", "127.0.0.42"]);
        await using var service = new ClusterService(store, Logs("listed"), TimeProvider.System, Info);

        var adopts = service.Credentials().AdoptsIdFrom!;
        Assert.True(adopts(IPAddress.Parse("127.0.0.42")));
        Assert.False(adopts(IPAddress.Parse("127.0.0.43")));
    }

    /// <summary>The derived key the service's transport proves with, as hex.</summary>
    private async Task<string> ProofSecretAsync(string name, string? clusterId)
    {
        using var store = StoreClass.Open(_dir[name]);
        store.SetLocal(ClusterSettings.KeyName, Key);
        if (clusterId is not null) store.SetLocal(ClusterSettings.ClusterIdName, clusterId);
        await using var service = new ClusterService(store, Logs(name), TimeProvider.System, Info);

        var credentials = service.Credentials();
        Assert.Equal(clusterId, credentials.ClusterId);
        return Convert.ToHexString((await credentials.SecretAsync(credentials.ClusterId).WaitAsync(TimeSpan.FromSeconds(30))).DerivedKey);
    }

    private NodeLogs Logs(string name) => new(_dir[name + "-logs"], 1 << 20, TimeProvider.System);
}
