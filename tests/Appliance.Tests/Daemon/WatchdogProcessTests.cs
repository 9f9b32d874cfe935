using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Appliance.Tests.Hosting;
using Appliance.Tests.Support;
using Xunit.Abstractions;
using RootFact = Appliance.Tests.Harness.RootFactAttribute;
using RootTheory = Appliance.Tests.Harness.RootTheoryAttribute;

namespace Appliance.Tests.Lifecycle;

/// <summary>
/// The real process under a test's own NOTIFY_SOCKET: WATCHDOG=1 comes only while the store
/// committer, the API and the cluster loop go round (idle too), stops when one of them hangs
/// (`test.hang`, a test build's --test-faults) while the process lives on, so systemd would kill
/// and restart it; and the STATUS= line says what `status` says.
/// </summary>
public sealed class WatchdogProcessTests(ITestOutputHelper output)
{
    // A small WatchdogSec: loops count as stuck after 2 s, the daemon checks every second.
    private static readonly TimeSpan WatchdogUsec = TimeSpan.FromSeconds(4);

    [RootTheory(Timeout = 120_000)]
    [InlineData("store", "store committer")]
    [InlineData("api", "API")]
    [InlineData("cluster", "cluster loop")]
    public async Task A_hung_loop_stops_the_watchdog_pings_while_the_process_lives_on(string loop, string description)
    {
        await using var d = new StandaloneDaemon(extraArgs: ["--test-faults"]);
        using var listener = Listen(d);
        try
        {
            d.Daemon.Launch();
            await listener.WaitUntilAsync(m => m.Contains("READY=1"), DaemonProcess.StartTimeout);
            var ready = listener.Now;

            // Idle (nothing written, no client, no peer), every loop still proves it goes round.
            await Task.Delay(WatchdogUsec * 1.5);
            var idle = Pings(listener, ready, listener.Now);
            Assert.True(idle.Count >= 4, $"only {idle.Count} pings in {WatchdogUsec * 1.5} while idle");
            Assert.True(LongestGap(idle) < WatchdogUsec / 2, $"pings {LongestGap(idle)} apart while idle");

            var answer = await d.Daemon.Api("test.hang", new JsonObject { ["loop"] = loop });
            Assert.Equal(loop, (string?)answer["loop"]);
            var hungAt = listener.Now;
            await Task.Delay(WatchdogUsec * 2.5);

            var after = Pings(listener, hungAt, listener.Now);
            var lastPing = after.Count > 0 ? after[^1] : hungAt;
            // Stuck within a turn (500 ms), stale 2 s later, noticed within the next 1 s check; slack for a busy machine.
            Assert.True(lastPing - hungAt < TimeSpan.FromSeconds(5), $"pings went on {lastPing - hungAt} after the hang");
            Assert.True(listener.Now - lastPing > WatchdogUsec, $"no ping for {listener.Now - lastPing}: systemd would not have killed it yet");
            Assert.True(d.Daemon.Running, "the process must still be there for systemd to kill");
            Assert.Contains($"watchdog: the {description} has made no progress", d.Daemon.Output);
            Assert.Contains(listener.Messages, m => m.StartsWith($"STATUS={description} stuck for ", StringComparison.Ordinal));
        }
        finally
        {
            output.WriteLine(string.Join("\n", listener.Timed.Select(m => $"{m.At.TotalSeconds,8:0.000} {m.Message}")));
            output.WriteLine(d.Daemon.Output);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Standalone_status_line_follows_the_start_and_without_test_faults_there_is_no_hang_command()
    {
        await using var d = new StandaloneDaemon();
        using var listener = Listen(d);
        d.Daemon.Launch();
        await listener.WaitUntilAsync(m => m.Contains("READY=1"), DaemonProcess.StartTimeout);
        var alarms = (int)(await d.Daemon.Api("status"))["alarms"]!;
        var messages = await listener.WaitUntilAsync(m => m.Any(x => StandaloneLine.IsMatch(x)), TimeSpan.FromSeconds(15));

        Assert.Equal("STATUS=starting: opening the store", messages[0]);
        Assert.Contains("STATUS=starting: API and cluster", messages);
        Assert.Contains($"STATUS=standalone, {alarms} {(alarms == 1 ? "alarm" : "alarms")}", messages);

        var refused = await d.Daemon.ApiReply("test.hang", new JsonObject { ["loop"] = "store" });
        Assert.Equal("usage", (string?)refused["error"]!["kind"]);
        Assert.Contains("unknown command 'test.hang'", (string?)refused["error"]!["message"]);

        await d.Daemon.StopAsync(TimeSpan.FromSeconds(15));
        await listener.WaitUntilAsync(m => m.Contains("STATUS=stopping"), TimeSpan.FromSeconds(5));
    }

    [Fact(Timeout = 150_000)]
    public async Task Clustered_status_line_counts_the_active_peers()
    {
        await using var cluster = await TestCluster.StartFormedAsync(2);
        using var listener = new NotifySocketListener(Path.Combine(cluster.Root, "notify.sock"));
        cluster[0].Environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = listener.Path };
        await cluster[0].RestartAsync();
        await listener.WaitUntilAsync(m => m.Any(x => ClusteredLine.IsMatch(x)), TestCluster.SettleTimeout);
    }

    [RootFact(Timeout = 60_000)]
    public async Task Test_fault_command_names_the_loops_it_knows()
    {
        await using var d = new StandaloneDaemon(extraArgs: ["--test-faults"]);
        await d.Daemon.StartAsync();
        var refused = await d.Daemon.ApiReply("test.hang", new JsonObject { ["loop"] = "disk" });
        Assert.Equal("usage", (string?)refused["error"]!["kind"]);
        Assert.Contains("'loop' must be one of store, api, cluster, not 'disk'", (string?)refused["error"]!["message"]);
    }

    private static readonly Regex StandaloneLine = new(@"^STATUS=standalone, \d+ alarms?$");
    private static readonly Regex ClusteredLine = new(@"^STATUS=clustered, 2/2 active, \d+ alarms?$");

    private static NotifySocketListener Listen(StandaloneDaemon d)
    {
        var listener = new NotifySocketListener(d["notify.sock"]);
        d.Daemon.Environment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = listener.Path,
            ["WATCHDOG_USEC"] = ((long)WatchdogUsec.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return listener;
    }

    private static List<TimeSpan> Pings(NotifySocketListener listener, TimeSpan from, TimeSpan to) =>
        [.. listener.Timed.Where(m => m.Message == "WATCHDOG=1" && m.At > from && m.At <= to).Select(m => m.At)];

    private static TimeSpan LongestGap(List<TimeSpan> pings) =>
        pings.Zip(pings.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max();
}
