using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// R7 at a join (issue 18, point 7): an address the joining peer brings that a member already holds
/// holds the join with a status on both sides; once the operator fixes it, the join goes ahead.
/// </summary>
public class JoinConflictTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);

    [Fact(Timeout = 200_000)]
    public async Task DuplicateAddressOfAJoiner_HoldsTheJoin_OnBothSides_UntilTheOperatorFixesIt()
    {
        await using var c = await TestCluster.StartAsync(2);
        await c[0].Set("ipv4.address", "10.40.0.1");
        await c[0].Set("ipv4.additional", "10.40.0.101");
        await c[1].Set("ipv4.address", "10.40.0.2");
        await c[1].Set("ipv4.additional", "10.40.0.101"); // p1's rendezvous address: fine while standalone
        await c[1].Add("locations", "hq");
        await c[1].Add("location-addresses", "hq", ("rendezvous", "10.40.0.1")); // p1's management address
        await c[1].Add("bridges", "joiners-bridge", ("address", "10.0.0.2"));

        await c.FormOnFirstAsync();
        await c[0].SetPeers(c.Address(0), c.Address(1));
        await c[1].SetKey(TestCluster.Key);
        await c[1].SetPeers(c.Address(0), c.Address(1));

        await c.WaitStatusAsync(0, 1, "Address conflict: 10.40.0.1 is already peer 1's address");
        await c.WaitStatusAsync(1, 0, "Address conflict: 10.40.0.1 is already peer 1's address");
        Assert.Equal("", await c[1].ClusterId());
        Assert.True((await c[1].Items("bridges")).ContainsKey("joiners-bridge"), "the joiner has not given up its configuration");

        // The first fix shows the next conflict, not a join.
        await c[1].Set("location-addresses.hq.rendezvous", "10.40.0.202");
        await c.WaitStatusAsync(0, 1, "Address conflict: 10.40.0.101 is already peer 1's additional address");
        await c.WaitStatusAsync(1, 0, "Address conflict: 10.40.0.101 is already peer 1's additional address");
        Assert.Equal("", await c[1].ClusterId());

        await c[1].Set("ipv4.additional", "10.40.0.102");
        await c.WaitAllActiveAsync();
        Assert.Equal(await c[0].ClusterId(), await c[1].ClusterId());
        await Eventually.WaitUntil(async () => (string?)(await c[0].Values("ipv4", peer: "p2"))["additional"]![0] == "10.40.0.102",
            Settle, "p2's fixed additional address on p1");
    }
}
