using Appliance.Daemon.Health;
using Appliance.Daemon.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Tests.Hosting;

/// <summary>
/// A Generic Host with AddApplianceSystemd, pointed (through the environment seam, not the
/// process environment) at a notify socket of the test's own.
/// </summary>
public sealed class SystemdLifecycleTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("appliance-notify-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Ready_watchdog_pings_and_stopping_reach_the_notify_socket()
    {
        using var listener = new NotifySocketListener(Path.Combine(_directory, "notify.sock"));
        using var host = BuildHost(new()
        {
            ["NOTIFY_SOCKET"] = listener.Path,
            ["WATCHDOG_USEC"] = "200000",
            ["WATCHDOG_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await host.StartAsync().WaitAsync(Timeout);
        Assert.DoesNotContain("READY=1", listener.Messages); // started is not ready
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();

        var seen = await listener.WaitUntilAsync(m => m.Contains("READY=1") && m.Count(x => x == "WATCHDOG=1") >= 4, Timeout);
        await host.StopAsync().WaitAsync(Timeout);
        // The datagram is sent during StopAsync; the listener reads it on its own task.
        var all = await listener.WaitUntilAsync(m => m.Contains("STOPPING=1"), Timeout);

        Assert.Single(all, "READY=1");
        Assert.Single(all, "STOPPING=1");
        Assert.True(all.ToList().IndexOf("READY=1") < all.ToList().IndexOf("STOPPING=1"));
        Assert.True(seen.Count(x => x == "WATCHDOG=1") >= 4);
    }

    [Fact]
    public async Task Abstract_notify_socket_is_used_too()
    {
        using var listener = new NotifySocketListener($"@appliance-notify-{Guid.NewGuid():N}");
        using var host = BuildHost(new() { ["NOTIFY_SOCKET"] = listener.Path });
        await host.StartAsync().WaitAsync(Timeout);
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyStatus("store open\nAPI up");
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();
        await host.StopAsync().WaitAsync(Timeout);
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyStatus("too late");
        await listener.WaitUntilAsync(m => m.Count == 4, Timeout);
        await Task.Delay(100);
        // Once stopping, the status says so and a late report cannot replace it.
        Assert.Equal(["STATUS=store open API up", "READY=1", "STOPPING=1", "STATUS=stopping"], listener.Messages);
    }

    [Fact]
    public async Task No_watchdog_pings_when_WATCHDOG_PID_is_another_process()
    {
        using var listener = new NotifySocketListener(Path.Combine(_directory, "notify.sock"));
        using var host = BuildHost(new()
        {
            ["NOTIFY_SOCKET"] = listener.Path,
            ["WATCHDOG_USEC"] = "20000",
            ["WATCHDOG_PID"] = "1",
        });
        await host.StartAsync().WaitAsync(Timeout);
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();
        await Task.Delay(300);
        await host.StopAsync().WaitAsync(Timeout);
        await listener.WaitUntilAsync(m => m.Contains("STATUS=stopping"), Timeout);
        Assert.Equal(["READY=1", "STOPPING=1", "STATUS=stopping"], listener.Messages);
    }

    [Fact]
    public async Task Without_NOTIFY_SOCKET_ready_is_a_no_op_and_nothing_is_hosted()
    {
        using var host = BuildHost([]);
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is SystemdLifecycle);
        await host.StartAsync().WaitAsync(Timeout);
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Vanished_notify_socket_does_not_break_the_host()
    {
        var listener = new NotifySocketListener(Path.Combine(_directory, "notify.sock"));
        using var host = BuildHost(new() { ["NOTIFY_SOCKET"] = listener.Path, ["WATCHDOG_USEC"] = "20000" });
        listener.Dispose();
        File.Delete(listener.Path);
        await host.StartAsync().WaitAsync(Timeout);
        host.Services.GetRequiredService<SystemdLifecycle>().NotifyReady();
        await Task.Delay(100);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Theory]
    [InlineData("WATCHDOG_USEC", "soon")]
    [InlineData("WATCHDOG_USEC", "-5")]
    [InlineData("WATCHDOG_PID", "me")]
    public void Malformed_watchdog_variable_is_a_clear_error(string name, string value)
    {
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "/run/x", ["WATCHDOG_USEC"] = "1000", [name] = value };
        var error = Assert.Throws<InvalidOperationException>(
            () => SystemdNotifySettings.FromEnvironment(environment.GetValueOrDefault, Environment.ProcessId));
        Assert.Contains($"{name}='{value}'", error.Message);
    }

    [Fact]
    public void Watchdog_interval_is_half_of_WATCHDOG_USEC()
    {
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "/run/x", ["WATCHDOG_USEC"] = "30000000" };
        var settings = SystemdNotifySettings.FromEnvironment(environment.GetValueOrDefault, 42);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.WatchdogInterval);
    }

    [Fact]
    public async Task Pings_stop_while_a_watched_loop_is_stuck_and_resume_when_it_goes_round()
    {
        using var listener = new NotifySocketListener(Path.Combine(_directory, "notify.sock"));
        using var host = BuildHost(new() { ["NOTIFY_SOCKET"] = listener.Path, ["WATCHDOG_USEC"] = "1000000" });
        var loop = new Heartbeat("test", "test loop");
        host.Services.GetRequiredService<Liveness>().Watch([loop]);
        using var beating = new CancellationTokenSource();
        var beater = Task.Run(async () =>
        {
            while (!beating.IsCancellationRequested)
            {
                loop.Beat();
                await Task.Delay(20);
            }
        });
        await host.StartAsync().WaitAsync(Timeout);
        await listener.WaitUntilAsync(m => m.Count(x => x == "WATCHDOG=1") >= 3, Timeout);

        await beating.CancelAsync();
        await beater;
        var stoppedAt = listener.Now;
        await Task.Delay(2500); // 2.5 times WATCHDOG_USEC
        // Stale 500 ms after the last beat, checked every 250 ms; the rest is slack for a busy machine.
        var late = listener.Timed.Where(m => m.Message == "WATCHDOG=1" && m.At > stoppedAt + TimeSpan.FromMilliseconds(900)).ToList();
        Assert.Empty(late);

        loop.Beat();
        var count = listener.Messages.Count(x => x == "WATCHDOG=1");
        await listener.WaitUntilAsync(m => m.Count(x => x == "WATCHDOG=1") > count, Timeout);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public void Without_a_watchdog_nothing_is_judged_and_loops_go_round_slowly()
    {
        var liveness = new Liveness(null);
        var loop = new Heartbeat("test", "test loop");
        liveness.Watch([loop]);
        Assert.False(loop.Watched);
        Assert.Equal(TimeSpan.FromSeconds(5), loop.Interval);
        Assert.Empty(liveness.Stale());

        var watched = new Liveness(TimeSpan.FromSeconds(15));
        watched.Watch([loop]);
        Assert.True(loop.Watched);
        Assert.Equal(TimeSpan.FromSeconds(3.75), loop.Interval);
    }

    private static IHost BuildHost(Dictionary<string, string> environment)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddApplianceSystemd(environment.GetValueOrDefault, Environment.ProcessId);
        return builder.Build();
    }
}
