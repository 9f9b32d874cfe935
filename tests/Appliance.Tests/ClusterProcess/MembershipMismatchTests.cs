using System.Net;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>R1/R2/section 5: different peer lists and different cluster ids never replicate.</summary>
public class MembershipMismatchTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 120_000)]
    public async Task PeerListMismatch_ShowsOnBothSides_AndNoDataCrosses()
    {
        await using var c = await TestCluster.StartAsync(2);
        var absent = LoopbackAddresses.Next(); // a third address nobody runs on
        await RefusalTests.ListEachOtherAsync(c, TestCluster.Key, [c.Address(0), c.Address(1), absent]);

        await c.WaitStatusAsync(0, 1, "Peer list mismatch");
        await c.WaitStatusAsync(1, 0, "Peer list mismatch");
        await RefusalTests.AssertNoDataCrossedAsync(c);
        Assert.Equal("", await c[1].ClusterId());
    }

    [Fact(Timeout = 150_000)]
    public async Task TwoFormedClusters_ListingEachOther_BelongToAnotherCluster_AndNeverMerge()
    {
        await using var a = await TestCluster.StartAsync(1, "a");
        await using var b = await TestCluster.StartAsync(1, "b");
        await a[0].Add("bridges", "bridge-a", ("address", "10.0.0.1"));
        await b[0].Add("bridges", "bridge-b", ("address", "10.0.0.2"));
        await a.FormAsync();
        await b.FormAsync();
        var (idA, idB) = (await a[0].ClusterId(), await b[0].ClusterId());
        Assert.NotEqual(idA, idB);

        await a[0].SetPeers(a.Address(0), b.Address(0));
        await b[0].SetPeers(a.Address(0), b.Address(0));

        await TestCluster.WaitStatusAsync(a[0], b.Address(0), "Belongs to another cluster");
        await TestCluster.WaitStatusAsync(b[0], a.Address(0), "Belongs to another cluster");
        await AssertRefusedBeforeAnyProofAsync(idA, b.Address(0), idB);
        await Task.Delay(1500);
        Assert.Equal(idA, await a[0].ClusterId());
        Assert.Equal(idB, await b[0].ClusterId());
        Assert.False((await a[0].Items("bridges")).ContainsKey("bridge-b"));
        Assert.False((await b[0].Items("bridges")).ContainsKey("bridge-a"));
        Assert.Empty(Directory.Exists(Path.Combine(a[0].DataDir, "backups")) ? Directory.GetFiles(Path.Combine(a[0].DataDir, "backups")) : []);
        Assert.Empty(Directory.Exists(Path.Combine(b[0].DataDir, "backups")) ? Directory.GetFiles(Path.Combine(b[0].DataDir, "backups")) : []);
    }
    /// <summary>
    /// The clusters share a key, yet a member of one (the key and its cluster id, as its peers dial)
    /// is refused by a peer of the other on both ports from the announced ids alone: the secrets are
    /// salted with the ids, so no proof would pass, and none is sent.
    /// </summary>
    private static async Task AssertRefusedBeforeAnyProofAsync(string dialerClusterId, string address, string theirClusterId)
    {
        using var certificate = PeerCertificate.Create("member-of-" + dialerClusterId);
        var member = new TlsTransport(() => certificate.Certificate, () => new ClusterCredentials(TestCluster.Key, dialerClusterId));
        foreach (var port in new[] { 4372, 4371 })
        {
            var e = await Assert.ThrowsAsync<ProofRefusedException>(() =>
                member.ConnectAsync(new IPEndPoint(IPAddress.Parse(address), port), CancellationToken.None).WaitAsync(Settle));
            Assert.Equal((ProofRefusal.OtherCluster, theirClusterId), (e.Refusal, e.Detail));
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task PeerList_InAnotherOrder_IsTheSameList()
    {
        await using var c = await TestCluster.StartAsync(2);
        await c[0].SetKey(TestCluster.Key);
        await c[0].SetPeers(c.Address(0));
        await Eventually.WaitUntil(async () => (await c[0].ClusterId()).Length > 0, Settle, "p1 forms");
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await c[1].SetKey(TestCluster.Key);
        await c[1].SetPeers(c.Address(1), c.Address(0)); // R1: order does not matter

        await c.WaitAllActiveAsync();
    }
}
