using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Security;

/// <summary>
/// Issue 16, point 3: however many clients connect to the local API, the daemon keeps a bounded
/// number of connections, answers the rest with a refusal line, backs off when accept fails (out of
/// descriptors) instead of spinning, and serves again as soon as connections close.
/// </summary>
public sealed class ApiConnectionLimitTests(ITestOutputHelper output)
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 240_000)]
    public async Task Ten_thousand_connections_leave_the_daemon_up_small_and_answering()
    {
        // A descriptor limit like a small box's: today's daemon ran out of descriptors here.
        await using var d = new StandaloneDaemon(launcher: ["prlimit", "--nofile=1024:1024", "--"]);
        await d.Daemon.StartAsync();
        var pid = d.Daemon.Pid;
        var cpuBefore = ProcessStats.CpuSeconds(pid);
        var clock = Stopwatch.StartNew();
        var held = new List<Socket>();
        var refused = 0;
        var maxRss = 0.0;
        var answers = new List<double>();
        try
        {
            for (var i = 0; i < 10_000; i++)
            {
                var s = await ConnectAsync(d.Daemon.SocketPath);
                held.Add(s);
                if (i % 1000 == 999)
                {
                    maxRss = Math.Max(maxRss, ProcessStats.RssMb(pid));
                    // A new client is told at once, without asking, that it cannot be served now.
                    var watch = Stopwatch.StartNew();
                    using var probe = await ConnectAsync(d.Daemon.SocketPath);
                    var refusal = await ReadLineAsync(probe, T);
                    answers.Add(watch.Elapsed.TotalMilliseconds);
                    Assert.Contains("connections at once", refusal);
                }
            }
            // Every connection past the limit was told why, and then closed.
            foreach (var s in held)
            {
                if (await ReadLineAsync(s, TimeSpan.FromMilliseconds(200)) is { } line)
                {
                    Assert.Contains("connections at once", line);
                    refused++;
                }
            }
            var cpu = ProcessStats.CpuSeconds(pid) - cpuBefore;
            output.WriteLine($"10,000 connections in {clock.Elapsed.TotalSeconds:0.0} s: {refused} refused with a line, {10_000 - refused} served; " +
                             $"daemon RSS at most {maxRss:0} MiB, CPU {cpu:0.00} s ({100 * cpu / clock.Elapsed.TotalSeconds:0} % of a core), " +
                             $"answer (or refusal) to a new client in at most {answers.Max():0.0} ms, {ProcessStats.OpenDescriptors(pid)} descriptors open");
            Assert.True(d.Daemon.Running, d.Daemon.Tail());
            Assert.True(refused >= 10_000 - 80, $"only {refused} refused");
            Assert.True(maxRss < 250, $"RSS {maxRss:0} MiB");
            Assert.True(answers.Max() < 2000, $"a new client waited {answers.Max():0} ms");
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
        await Eventually.WaitUntil(async () => (bool)(await RequestAsync(d.Daemon.SocketPath))["ok"]!, T, "the API to serve again once the clients are gone");
    }

    [Fact(Timeout = 120_000)]
    public async Task Under_a_low_descriptor_limit_a_flood_neither_spins_nor_kills_the_daemon()
    {
        // About 145 descriptors are the daemon's own: 200 leaves fewer than the connection limit,
        // and today's daemon spun in accept at the limit, then died ("Out of memory").
        await using var d = new StandaloneDaemon(launcher: ["prlimit", "--nofile=200:200", "--"]);
        await d.Daemon.StartAsync();
        var pid = d.Daemon.Pid;
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 300 && await RawApiConnection.ConnectSocketAsync(d.Daemon.SocketPath, TimeSpan.FromSeconds(1)) is { } s; i++)
                held.Add(s);
            await Task.Delay(500);
            var cpuBefore = ProcessStats.CpuSeconds(pid);
            var rssBefore = ProcessStats.RssMb(pid);
            await Task.Delay(TimeSpan.FromSeconds(4));
            var cpu = ProcessStats.CpuSeconds(pid) - cpuBefore;
            output.WriteLine($"with {held.Count} clients under a limit of 200 descriptors: {cpu:0.00} s CPU in 4 s, RSS {rssBefore:0} -> {ProcessStats.RssMb(pid):0} MiB, " +
                             $"{ProcessStats.OpenDescriptors(pid)} descriptors open");
            Assert.True(d.Daemon.Running, d.Daemon.Tail());
            Assert.True(cpu < 0.8, $"the daemon used {cpu:0.00} s of CPU in 4 s at the descriptor limit");
            Assert.True(ProcessStats.RssMb(pid) < rssBefore + 50, "memory grows at the descriptor limit");
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
        await Eventually.WaitUntil(async () => (bool)(await RequestAsync(d.Daemon.SocketPath))["ok"]!, T, "the API to serve again once descriptors are free");
        var events = (await d.Daemon.Api("log.read", new JsonObject { ["log"] = "events" })).ToJsonString();
        Assert.Contains("the descriptor limit allows", events);
    }

    private static async Task<Socket> ConnectAsync(string path) =>
        await RawApiConnection.ConnectSocketAsync(path, T) ?? throw new TimeoutException($"the listen backlog of {path} stayed full for {T}");

    private static async Task<JsonObject> RequestAsync(string path)
    {
        await using var c = await RawApiConnection.ConnectAsync(path, T);
        await c.SendLineAsync(RawApiConnection.RequestLine("status", null), T);
        return await c.ReadReplyAsync(T) ?? throw new IOException("closed without an answer");
    }

    private static async Task<string?> ReadLineAsync(Socket s, TimeSpan wait)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(wait);
        try
        {
            var n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return n == 0 ? null : Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException) { return null; }
    }
}
