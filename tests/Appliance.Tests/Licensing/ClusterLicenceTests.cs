using Appliance.Daemon.Licensing;

namespace Appliance.Tests.Licensing;

public class ClusterLicenceTests
{
    private static PeerLicence P(string name, LicenceEdition e, int personal = 0, int shared = 0) => new(name, e, personal, shared);

    [Fact]
    public void Standalone_essentials_is_fine()
    {
        Assert.True(ClusterLicence.Check([P("a", LicenceEdition.Essentials)]).Allowed);
    }

    [Fact]
    public void Full_cluster_of_three_sums_capacity()
    {
        var c = ClusterLicence.Check([P("a", LicenceEdition.Full, 5, 10), P("b", LicenceEdition.Full, 1, 2), P("c", LicenceEdition.Full, 0, 3)]);
        Assert.True(c.Allowed, c.Reason);
        Assert.Equal((6, 15), (c.PersonalMultiparty, c.SharedMultiparty));
    }

    [Fact]
    public void Essentials_peer_cannot_cluster()
    {
        var c = ClusterLicence.Check([P("a", LicenceEdition.Full), P("b", LicenceEdition.Essentials)]);
        Assert.False(c.Allowed);
        Assert.Contains("clustering not licensed on b", c.Reason);
    }

    [Fact]
    public void Mixed_editions_are_refused()
    {
        var c = ClusterLicence.Check([P("a", LicenceEdition.Full), P("b", LicenceEdition.Select)]);
        Assert.Contains("edition mismatch", c.Reason);
    }

    [Fact]
    public void Select_clusters_two_but_not_three()
    {
        Assert.True(ClusterLicence.Check([P("a", LicenceEdition.Select), P("b", LicenceEdition.Select)]).Allowed);
        var c = ClusterLicence.Check([P("a", LicenceEdition.Select), P("b", LicenceEdition.Select), P("c", LicenceEdition.Select)]);
        Assert.False(c.Allowed);
        Assert.Contains("at most 2", c.Reason);
    }
}
