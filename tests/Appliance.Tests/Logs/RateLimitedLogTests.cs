using Appliance.Daemon.Logs;

namespace Appliance.Tests.Logs;

public class RateLimitedLogTests
{
    [Fact]
    public void A_flood_writes_a_burst_then_one_line_counting_what_was_dropped()
    {
        var lines = new List<string>();
        var time = new ManualClock();
        var log = new RateLimitedLog(lines.Add, time, burst: 3, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 200; i++) log.Write($"refused {i}");
        Assert.Equal(["refused 0", "refused 1", "refused 2"], lines);
        time.Advance(TimeSpan.FromSeconds(11));
        log.Write("refused again");
        Assert.Equal("refused again (197 similar lines suppressed before this one)", lines[^1]);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        public void Advance(TimeSpan by) => _now += by;
        public override DateTimeOffset GetUtcNow() => _now;
    }
}
