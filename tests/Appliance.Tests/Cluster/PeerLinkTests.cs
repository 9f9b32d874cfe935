using Appliance.Daemon.Cluster;

namespace Appliance.Tests.Cluster;

public sealed class PeerLinkTests
{
    [Fact]
    public void An_old_inbound_session_ending_after_the_peer_dialed_again_leaves_the_link_active()
    {
        var link = new PeerLink("198.18.0.11", TimeProvider.System);
        link.Up(outbound: true, "p1", "app1", "1.0");
        link.Up(outbound: false, "p1", "app1", "1.0");    // the peer's first session
        link.Up(outbound: false, "p1", "app1", "1.0");    // it dialed again before we saw the first end
        link.Down(outbound: false);                       // the first one ends late
        Assert.True(link.Active);
        Assert.Equal("Active as app1", link.Status());

        link.Down(outbound: false);
        Assert.Equal("Not active yet", link.Status());
    }

    [Fact]
    public void A_failed_dial_that_never_came_up_does_not_take_down_a_later_session()
    {
        var link = new PeerLink("198.18.0.11", TimeProvider.System);
        link.Down(outbound: true);
        link.Up(outbound: true, "p1", "app1", "1.0");
        link.Up(outbound: false, "p1", "app1", "1.0");
        Assert.True(link.Active);
        link.Down(outbound: true);
        link.Down(outbound: true);
        Assert.False(link.Active);
        Assert.Equal("Not active yet", link.Status());
    }
}
