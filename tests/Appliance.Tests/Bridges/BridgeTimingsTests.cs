using Appliance.Daemon.Bridges;

namespace Appliance.Tests.Bridges;

/// <summary>The watcher's back-off keeps the goal: a bridge that returns is seen within 10 s (the guide: 5-6 minutes).</summary>
public class BridgeTimingsTests
{
    [Fact]
    public void BackOff_Doubles_FromTheInterval_UpToTheCap()
    {
        var t = new BridgeWatchTimings();
        Assert.Equal([2, 2, 4, 5, 5, 5], new[] { 0, 1, 2, 3, 4, 1000 }.Select(f => t.Delay(f).TotalSeconds));
    }

    [Fact]
    public void LongestUnseenReturn_IsWithinTenSeconds()
    {
        var t = new BridgeWatchTimings();
        // Back at the start of the longest wait: seen by the next probe, which may take its whole timeout.
        Assert.True(t.MaxBackoff + t.Timeout <= TimeSpan.FromSeconds(10), $"{t.MaxBackoff} + {t.Timeout}");
    }
}
