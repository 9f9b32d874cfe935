using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>The `restart` command replaces the process in place (execv): same PID, same store.</summary>
public class SelfRestartTests
{
    [Fact(Timeout = 120_000)]
    public async Task RestartCommand_ComesBackWithTheSamePid_AndTheStoreUnchanged()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        await d.Daemon.Set("system.hostname", "restarter");
        await d.Daemon.Add("bridges", "b1", ("address", "10.1.2.3"));
        await d.Daemon.AddConference("conf1", 7);
        var pid = d.Daemon.Pid;
        var peerId = (string?)(await d.Daemon.Api("status"))["peerId"];
        var before = await d.Daemon.ShowAll();

        var reply = await d.Daemon.Api("restart");
        Assert.NotNull(reply);
        await Eventually.WaitUntil(async () => (await d.Daemon.LogEntries("events"))
                .Count(e => ((string?)e["message"] ?? "").Contains("starting as peer", StringComparison.Ordinal)) >= 2,
            TimeSpan.FromSeconds(60), "the daemon starts a second time", async () => d.Daemon.Tail());
        await d.Daemon.WaitReadyAsync(TimeSpan.FromSeconds(30));

        Assert.True(d.Daemon.Running, d.Daemon.Tail());
        Assert.Equal(pid, d.Daemon.Pid);
        var status = await d.Daemon.Api("status");
        Assert.Equal(peerId, (string?)status["peerId"]);
        Assert.Equal("restarter", (string?)status["host"]);
        Assert.Equal(before, await d.Daemon.ShowAll());
        // The restarted process still stops cleanly on SIGTERM.
        await d.Daemon.StopAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, d.Daemon.ExitCode);
    }
}
