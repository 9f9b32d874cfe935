using Appliance.Daemon.Cluster;
using Microsoft.Extensions.Time.Testing;

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

    [Fact]
    public async Task A_dialer_waiting_to_retry_is_woken_when_the_peer_reaches_us()
    {
        var link = new PeerLink("198.18.0.11", new FakeTimeProvider());
        link.Refused(PeerReasons.PeerListMismatch, null); // our last Hello was refused: the peer had the old list
        var waiting = link.WaitToRedialAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        await AssertStillWaitingAsync(waiting);

        link.Up(outbound: false, "p1", "app1", "1.0"); // now it has the new list and dialed us
        await waiting.WaitAsync(Ends);
    }

    [Fact]
    public async Task An_inbound_session_while_ours_is_up_does_not_wake_the_dialer_and_Redial_does()
    {
        var link = new PeerLink("198.18.0.11", new FakeTimeProvider());
        link.Up(outbound: true, "p1", "app1", "1.0");
        link.Up(outbound: false, "p1", "app1", "1.0");
        var waiting = link.WaitToRedialAsync(TimeSpan.FromMilliseconds(500), CancellationToken.None);
        await AssertStillWaitingAsync(waiting);

        link.Redial(); // as a new peer list or key does
        await waiting.WaitAsync(Ends);
    }

    [Fact]
    public async Task Our_session_ending_lets_the_dialer_retry_at_once_and_then_at_most_twice_a_second()
    {
        var time = new FakeTimeProvider();
        var link = new PeerLink("198.18.0.11", time);
        link.Up(outbound: true, "p1", "app1", "1.0");
        link.Down(outbound: true); // e.g. the peer restarted its sessions under a new peer list
        await link.WaitToRedialAsync(TimeSpan.FromMinutes(10), CancellationToken.None).WaitAsync(Ends);

        time.Advance(TimeSpan.FromMilliseconds(100));
        link.Up(outbound: true, "p1", "app1", "1.0");
        link.Down(outbound: true); // again within half a second: this retry waits out the rest of it
        var waiting = link.WaitToRedialAsync(TimeSpan.FromMinutes(10), CancellationToken.None);
        await AssertEndsAfterAsync(time, waiting, TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task A_quick_retry_that_fails_before_coming_up_is_followed_by_the_whole_delay()
    {
        var time = new FakeTimeProvider();
        var link = new PeerLink("198.18.0.11", time);
        link.Up(outbound: true, "p1", "app1", "1.0");
        link.Down(outbound: true);
        await link.WaitToRedialAsync(TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(Ends);

        link.Down(outbound: true); // the quick retry failed before it came up: no second quick retry
        var waiting = link.WaitToRedialAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        await AssertEndsAfterAsync(time, waiting, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Waiting_to_retry_ends_with_the_dialer()
    {
        var link = new PeerLink("198.18.0.11", new FakeTimeProvider());
        using var stop = new CancellationTokenSource();
        var waiting = link.WaitToRedialAsync(TimeSpan.FromMilliseconds(500), stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Ends));
    }

    /// <summary>How long a wait that should end may take (real time) before the test fails.</summary>
    private static readonly TimeSpan Ends = TimeSpan.FromSeconds(10);

    /// <summary>The wait has not ended 100 ms (real time) later: nothing that should not wake it did.</summary>
    private static async Task AssertStillWaitingAsync(Task waiting)
    {
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted, "the dialer's wait ended without a reason to");
    }

    /// <summary>The wait is still on a moment before <paramref name="after"/> has passed on the clock, and ends when it has.</summary>
    private static async Task AssertEndsAfterAsync(FakeTimeProvider time, Task waiting, TimeSpan after)
    {
        time.Advance(after - TimeSpan.FromMilliseconds(1));
        await AssertStillWaitingAsync(waiting);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(Ends);
    }
}
