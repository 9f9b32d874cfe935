using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

public class CtlFollowTests
{
    [Fact]
    public async Task Follow_PrintsEachEntryAsItArrives_UntilInterrupted()
    {
        await using var daemon = new FakeDaemon();
        var output = new LineCapture();
        var host = new CliHost(new StringReader(""), output, new StringWriter());

        var run = Cli.RunAsync(["--socket", daemon.SocketPath, "log", "events", "--follow", "--since", "10m"], host, default);
        var request = await daemon.FollowStarted.Task.WaitAsync(CtlRun.Timeout);
        await daemon.FollowLines.Writer.WriteAsync("""{"entry":{"time":"2026-11-25T12:00:00Z","severity":"info","text":"first"}}""");
        var first = await output.NextAsync();
        Assert.False(run.IsCompleted);
        await daemon.FollowLines.Writer.WriteAsync("""{"entry":{"time":"2026-11-25T12:00:05Z","severity":"major","text":"second"}}""");
        var second = await output.NextAsync();
        Assert.True(host.Interrupts.Interrupt());
        var code = await run.WaitAsync(CtlRun.Timeout);

        Assert.Equal("events", (string)request["args"]!["log"]!);
        Assert.NotNull(request["args"]!["since"]);
        Assert.Equal("2026-11-25T12:00:00Z  info  first", first);
        Assert.Equal("2026-11-25T12:00:05Z  major  second", second);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task FollowJson_PrintsOneJsonLinePerEntry_AndEndsWithTheStream()
    {
        await using var daemon = new FakeDaemon();
        var output = new LineCapture();

        var run = Cli.RunAsync(["--socket", daemon.SocketPath, "--json", "log", "config", "--follow"], new StringReader(""), output, new StringWriter());
        await daemon.FollowStarted.Task.WaitAsync(CtlRun.Timeout);
        await daemon.FollowLines.Writer.WriteAsync("""{"entry":{"time":"2026-11-25T12:00:00Z","path":"dns.servers","new":["9.9.9.9"]}}""");
        var line = await output.NextAsync();
        daemon.FollowLines.Writer.Complete();
        var code = await run.WaitAsync(CtlRun.Timeout);

        Assert.Equal("""{"time":"2026-11-25T12:00:00Z","path":"dns.servers","new":["9.9.9.9"]}""", line);
        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Follow_RefusedByTheDaemon_ExitsWithTheErrorCode()
    {
        await using var daemon = new FakeDaemon();
        var error = new StringWriter();

        var run = Cli.RunAsync(["--socket", daemon.SocketPath, "log", "events", "--follow"], new StringReader(""), new StringWriter(), error);
        await daemon.FollowStarted.Task.WaitAsync(CtlRun.Timeout);
        await daemon.FollowLines.Writer.WriteAsync("""{"ok":false,"error":{"kind":"validation","message":"since is in the future","field":"since"}}""");
        var code = await run.WaitAsync(CtlRun.Timeout);

        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Contains("error: since is in the future", error.ToString());
    }
}
