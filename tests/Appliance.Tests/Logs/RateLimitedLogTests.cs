using Appliance.Daemon.Logs;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Logs;

public class RateLimitedLogTests
{
    [Fact]
    public void A_flood_writes_a_burst_then_one_line_counting_what_was_dropped()
    {
        var lines = new List<string>();
        var time = new FakeTimeProvider();
        var log = new RateLimitedLog(lines.Add, time, burst: 3, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 200; i++) log.Write($"refused {i}");
        Assert.Equal(["refused 0", "refused 1", "refused 2"], lines);
        time.Advance(TimeSpan.FromSeconds(11));
        log.Write("refused 200");
        Assert.Equal("refused 200 (197 similar lines suppressed before this one)", lines[^1]);
    }

    [Fact]
    public void Different_kinds_of_lines_have_their_own_budget()
    {
        var lines = new List<string>();
        var log = new RateLimitedLog(lines.Add, new FakeTimeProvider(), burst: 1);
        log.Write("connection from 198.18.0.5:4001 refused: TLS failed");
        log.Write("connection from 198.18.0.6:4002 refused: TLS failed");
        log.Write("connection from 198.18.0.5:4003 refused: frame too large");
        Assert.Equal(2, lines.Count);
    }
}
