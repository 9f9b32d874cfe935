using Appliance.Tests.Hosting;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>The real process speaks sd_notify to NOTIFY_SOCKET: ready, watchdog pings, stopping.</summary>
public class SystemdNotifyProcessTests
{
    [Fact(Timeout = 90_000)]
    public async Task RealProcess_SendsReady_WatchdogPings_AndStoppingOnSigTerm()
    {
        await using var d = new StandaloneDaemon(environment: null);
        using var listener = new NotifySocketListener(d["notify.sock"]);
        d.Daemon.Environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Path, ["WATCHDOG_USEC"] = "2000000" };

        d.Daemon.Launch();
        await listener.WaitUntilAsync(m => m.Contains("READY=1"), TimeSpan.FromSeconds(40));
        // READY=1 promises a working daemon: the API answers right away.
        Assert.NotNull(await d.Daemon.Api("status"));
        await listener.WaitUntilAsync(m => m.Count(x => x == "WATCHDOG=1") >= 3, TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("STOPPING=1", listener.Messages);

        await d.Daemon.StopAsync(TimeSpan.FromSeconds(15));

        var messages = await listener.WaitUntilAsync(m => m.Contains("STOPPING=1"), TimeSpan.FromSeconds(5));
        Assert.True(messages.ToList().IndexOf("READY=1") < messages.ToList().IndexOf("STOPPING=1"), string.Join(", ", messages));
        Assert.Equal(0, d.Daemon.ExitCode);
    }
}
