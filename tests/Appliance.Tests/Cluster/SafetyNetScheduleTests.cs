using Appliance.Daemon.Cluster;

namespace Appliance.Tests.Cluster;

public class SafetyNetScheduleTests
{
    private static readonly TimeSpan Interval = ClusterService.SafetyNetInterval;
    private static readonly string[] Peers = ["198.18.0.13", "198.18.0.11", "198.18.0.12"];
    private static readonly IReadOnlyList<string> Sorted = [.. Peers.Order(StringComparer.Ordinal)];

    [Fact]
    public void Each_peer_of_three_owns_its_own_third_of_the_interval()
    {
        var slots = Peers.Select(p => SafetyNetSchedule.Slot(Sorted, p, Interval)).ToList();
        Assert.Equal([TimeSpan.FromSeconds(40), TimeSpan.Zero, TimeSpan.FromSeconds(20)], slots);
    }

    [Fact]
    public void A_peer_not_in_the_list_takes_the_start_of_the_interval() =>
        Assert.Equal(TimeSpan.Zero, SafetyNetSchedule.Slot(Sorted, "198.18.0.99", Interval));

    [Theory]
    [InlineData(0, 20_000)]
    [InlineData(5_000, 15_000)]
    [InlineData(19_500, 60_500)] // half a second before the slot: too soon after a round that fired early
    [InlineData(20_000, 60_000)]
    [InlineData(20_001, 59_999)]
    [InlineData(59_999, 20_001)]
    public void The_wait_ends_at_the_next_start_of_the_slot(int msIntoMinute, int expectedMs)
    {
        var now = new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero).AddMilliseconds(msIntoMinute);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), SafetyNetSchedule.UntilNext(now, TimeSpan.FromSeconds(20), Interval));
    }

    [Fact]
    public void Peers_started_together_never_pull_in_the_same_second()
    {
        // The same wall clock on every peer (NTP), all started at once: the case that pulled together before.
        var start = new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero);
        for (var ms = 0; ms < Interval.TotalMilliseconds; ms += 250)
        {
            var now = start.AddMilliseconds(ms);
            var rounds = Peers.Select(p => now + SafetyNetSchedule.UntilNext(now, SafetyNetSchedule.Slot(Sorted, p, Interval), Interval)).ToList();
            foreach (var round in rounds) Assert.InRange(round - now, SafetyNetSchedule.MinWait, Interval + SafetyNetSchedule.MinWait);
            var gaps = rounds.Order().Zip(rounds.Order().Skip(1), (a, b) => b - a);
            Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromSeconds(19), $"rounds {gap.TotalSeconds:0.0} s apart at {ms} ms"));
        }
    }
}
