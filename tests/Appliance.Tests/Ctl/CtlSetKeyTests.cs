using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

public class CtlSetKeyTests
{
    private const string Secret = "correct-horse-battery-staple";

    [Fact]
    public async Task SetKey_ReadsTheKeyFromStdin_AndNeverPrintsIt()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("cluster.setKey", """{"warnings":["peer 2 keeps the old key until it reconnects"]}""");

        var r = await CtlRun.RunWithStdinAsync(daemon, Secret + "\n", "cluster", "set-key");

        Assert.Equal(0, r.Code);
        var req = Assert.Single(daemon.Requests);
        Assert.Equal("cluster.setKey", (string)req["cmd"]!);
        Assert.Equal(Secret, (string)req["args"]!["key"]!);
        Assert.DoesNotContain(Secret, r.Out + r.Err);
        Assert.Contains("warning: peer 2 keeps the old key", r.Err);
    }

    [Theory]
    [InlineData(Secret)]
    [InlineData("--" + Secret)]
    [InlineData("--key=" + Secret)]
    public async Task SetKey_WithTheKeyOnTheCommandLine_IsRefusedAndNotEchoed(string argument)
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("cluster.setKey", "{}");

        var r = await CtlRun.RunWithStdinAsync(daemon, "other\n", "cluster", "set-key", argument);

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Empty(daemon.Requests);
        Assert.Contains("never taken from the command line", r.Err);
        Assert.Contains("process list", r.Err);
        Assert.DoesNotContain(Secret, r.Out + r.Err);
    }

    [Fact]
    public async Task SetKey_WithEmptyStdin_IsUsage()
    {
        await using var daemon = new FakeDaemon();

        var r = await CtlRun.RunWithStdinAsync(daemon, "", "cluster", "set-key");

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains("no cluster key on stdin", r.Err);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task SetKey_OnATerminal_AsksTwiceWithoutEcho()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("cluster.setKey", "{}");
        var keys = new ScriptedTerminal(Secret + "\n" + Secret + "\n");
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(new StringReader(""), output, error) { Terminal = keys };

        var code = await Cli.RunAsync(["--socket", daemon.SocketPath, "cluster", "set-key"], host, default).WaitAsync(CtlRun.Timeout);

        Assert.Equal(0, code);
        Assert.Equal(Secret, (string)Assert.Single(daemon.Requests)["args"]!["key"]!);
        Assert.Contains("Cluster key: ", error.ToString());
        Assert.Contains("Cluster key again: ", error.ToString());
        Assert.DoesNotContain(Secret, output.ToString() + error.ToString());
        Assert.DoesNotContain("*", error.ToString());
    }

    [Fact]
    public async Task SetKey_OnATerminal_DifferentEntriesChangeNothing()
    {
        await using var daemon = new FakeDaemon();
        var host = new CliHost(new StringReader(""), new StringWriter(), new StringWriter()) { Terminal = new ScriptedTerminal("one\ntwo\n") };

        var code = await Cli.RunAsync(["--socket", daemon.SocketPath, "cluster", "set-key"], host, default).WaitAsync(CtlRun.Timeout);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(daemon.Requests);
    }
}
