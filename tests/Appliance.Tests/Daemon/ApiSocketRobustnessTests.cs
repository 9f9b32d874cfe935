using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>Whatever a client sends on the real API socket, it gets an error reply or a hang-up, and the daemon stays up.</summary>
public class ApiSocketRobustnessTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(15);
    private readonly StandaloneDaemon _d = new();

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    private async Task AssertStillServesAsync()
    {
        Assert.True(_d.Daemon.Running, _d.Daemon.Tail());
        Assert.Equal("standalone", (string?)(await _d.Daemon.Api("status"))["cluster"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task GarbageLines_GetUsageErrors_AndTheConnectionStaysUsable()
    {
        await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
        string[] garbage = ["this is not json", "{\"cmd\":", "[1,2,3]", "42", "{\"v\":99,\"cmd\":\"status\"}", "{\"args\":{}}", "{\"cmd\":17}"];
        foreach (var line in garbage)
        {
            await c.SendLineAsync(line, T);
            var reply = await c.ReadReplyAsync(T);
            Assert.NotNull(reply);
            Assert.False((bool)reply["ok"]!, line);
            Assert.Equal("usage", (string?)reply["error"]!["kind"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)reply["error"]!["message"]), line);
        }
        await c.SendBytesAsync([0xff, 0xfe, 0x00, 0x01, 0xc3, 0x28, (byte)'\n'], T); // invalid UTF-8 and NUL
        var binary = await c.ReadReplyAsync(T);
        Assert.False((bool)binary!["ok"]!);

        var status = await c.RequestAsync("status", null, T);
        Assert.True((bool)status["ok"]!, status.ToJsonString());
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task UnknownCommand_GetsAUsageError_NamingItAndTheKnownOnes()
    {
        var reply = await _d.Daemon.ApiReply("no.such.command");

        Assert.False((bool)reply["ok"]!);
        Assert.Equal("usage", (string?)reply["error"]!["kind"]);
        var message = (string)reply["error"]!["message"]!;
        Assert.Contains("no.such.command", message, StringComparison.Ordinal);
        Assert.Contains("status", message, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task HugeLine_OverOneMebibyte_IsRefused_AndTheDaemonStaysUp()
    {
        await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
        var huge = "{\"cmd\":\"status\",\"args\":{\"pad\":\"" + new string('a', 3 << 19) + "\"}}";

        // The daemon may answer and hang up before we finish sending: both ends are fine.
        try { await c.SendLineAsync(huge, T); }
        catch (IOException) { }
        var reply = await c.ReadReplyAsync(T);

        Assert.NotNull(reply);
        Assert.False((bool)reply["ok"]!);
        Assert.Contains("longer than", (string)reply["error"]!["message"]!, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task HalfClosedConnection_StillGetsItsAnswer_AndAnUnterminatedLastLineIsServed()
    {
        await using (var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T))
        {
            await c.SendLineAsync("{\"cmd\":\"status\"}", T);
            c.Socket.Shutdown(SocketShutdown.Send);
            var reply = await c.ReadReplyAsync(T);
            Assert.True((bool)reply!["ok"]!);
            Assert.Null(await c.ReadReplyAsync(T)); // then the daemon closes its side
        }
        await using (var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T))
        {
            await c.SendBytesAsync(Encoding.UTF8.GetBytes("{\"cmd\":\"status\"}"), T); // no newline
            c.Socket.Shutdown(SocketShutdown.Send);
            var reply = await c.ReadReplyAsync(T);
            Assert.True((bool)reply!["ok"]!);
        }
        await using (var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T))
        {
            await c.SendBytesAsync(Encoding.UTF8.GetBytes("{\"cmd\":\"sta"), T); // cut mid-request, then gone
        }
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task ManyClients_AtOnce_AllGetAnswers()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _d.Daemon.ApiReply("status")));
        Assert.All(replies, r => Assert.True((bool)r["ok"]!));
        await AssertStillServesAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task LogFollow_StreamsNewEntries_AndAClientThatGoesAwayLeavesTheDaemonFine()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
            await c.SendLineAsync("{\"cmd\":\"log.follow\",\"args\":{\"log\":\"config\"}}", T);
            await Task.Delay(200);
            await _d.Daemon.Set("system.hostname", $"follow{round}");
            JsonObject? entry;
            do entry = await c.ReadReplyAsync(T);
            while (entry is not null && !(entry["entry"]?["new"]?.ToString() ?? "").Contains($"follow{round}", StringComparison.Ordinal));
            Assert.NotNull(entry);
        } // each follower hangs up while the daemon still streams to it
        await _d.Daemon.Set("system.hostname", "after-followers");
        await AssertStillServesAsync();
    }
}
