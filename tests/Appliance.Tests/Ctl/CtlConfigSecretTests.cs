using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

/// <summary>Secret fields of config set/add (issue 16, point 9), against the real schema's config.sections.</summary>
public class CtlConfigSecretTests
{
    private const string Secret = "Tr0ub4dor-never-shown";

    [Theory]
    [InlineData("config", "set", "root.password", Secret)]
    [InlineData("config", "set", "ROOT.Password=" + Secret)]
    [InlineData("config", "set", "bridges.eu.1.password", Secret)]
    [InlineData("config", "set", "snmp.community", "--", Secret)]
    [InlineData("config", "set", "snmp.community", "--" + Secret)]
    [InlineData("config", "set", "admin.password", "")]
    [InlineData("config", "set", "cluster.key", Secret)]
    [InlineData("config", "add", "bridges", "b1", "address=198.18.0.5", "Password=" + Secret)]
    [InlineData("config", "add", "bridges", "b1", "address=198.18.0.5", "password", Secret)]
    public async Task ASecretOnTheCommandLine_IsRefused_NotEchoed_AndNotSent(params string[] args)
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.set", "{}");
        daemon.Ok("config.add", "{}");

        var r = await CtlRun.RunWithStdinAsync(daemon, "piped-value\n", args);

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.All(daemon.Cmds, c => Assert.Equal("config.sections", c));
        Assert.DoesNotContain(Secret, r.Out + r.Err);
        Assert.Matches("is a secret and is never taken from the command line|cluster set-key|takes no options|not repeated here", r.Err);
    }

    [Fact]
    public async Task ASecretFieldNamedAlone_IsReadFromStdin_OneLineEach()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.set", """{"path":"bridges.b1.password","old":"not set","new":"set"}""");
        daemon.Ok("config.add", """{"section":"bridges","name":"b2"}""");

        var set = await CtlRun.RunWithStdinAsync(daemon, Secret + "\n", "config", "set", "Bridges.b1.PASSWORD");
        var add = await CtlRun.RunWithStdinAsync(daemon, Secret + " 2\r\n", "config", "add", "bridges", "b2", "password", "address=198.18.0.6");

        Assert.Equal(0, set.Code);
        Assert.Equal(0, add.Code);
        var sent = daemon.Requests.Where(r => (string)r["cmd"]! != "config.sections").Select(r => r["args"]!.ToJsonString());
        Assert.Equal([$$"""{"path":"bridges.b1.password","values":["{{Secret}}"]}""",
            $$$"""{"section":"bridges","name":"b2","fields":{"password":"{{{Secret}}} 2","address":"198.18.0.6"}}"""], sent);
        Assert.DoesNotContain(Secret, set.Out + set.Err + add.Out + add.Err);
    }

    [Theory]
    [InlineData("", "no value for root.password on stdin")]
    [InlineData("\n", "the value for root.password is empty")]
    public async Task NoValueOnStdin_IsUsage_AndNothingIsSent(string stdin, string message)
    {
        await using var daemon = new FakeDaemon();

        var r = await CtlRun.RunWithStdinAsync(daemon, stdin, "config", "set", "root.password");

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains(message, r.Err);
        Assert.Equal(["config.sections"], daemon.Cmds);
    }

    [Fact]
    public async Task OnATerminal_TheSecretIsAskedTwiceWithoutEcho()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.set", "{}");
        var (code, output, error) = await OnTerminalAsync(daemon, Secret + "\n" + Secret + "\n", "config", "set", "root.password");

        Assert.Equal(0, code);
        Assert.Equal(Secret, (string)daemon.Requests.Last()["args"]!["values"]![0]!);
        Assert.Contains("root.password: ", error);
        Assert.Contains("root.password again: ", error);
        Assert.DoesNotContain(Secret, output + error);
        Assert.DoesNotContain("*", error);
    }

    [Theory]
    [InlineData("one\ntwo\n", "the two entries for root.password differ")]
    [InlineData("\n", "the value for root.password is empty")]
    [InlineData("", "cancelled; nothing was changed")] // Ctrl-D at the prompt
    public async Task OnATerminal_DifferentEmptyOrCancelledEntries_ChangeNothing(string keys, string message)
    {
        await using var daemon = new FakeDaemon();
        var (code, _, error) = await OnTerminalAsync(daemon, keys, "config", "set", "root.password");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, error);
        Assert.Equal(["config.sections"], daemon.Cmds);
    }

    [Fact]
    public async Task ClusterKeyThroughConfigSet_PointsToSetKey_WithoutAsking()
    {
        await using var daemon = new FakeDaemon();
        var (code, _, error) = await OnTerminalAsync(daemon, Secret + "\n" + Secret + "\n", "config", "set", "cluster.key");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("cluster.key is set with `cluster set-key`", error);
        Assert.DoesNotContain("cluster.key: ", error);
        Assert.Equal(["config.sections"], daemon.Cmds);
    }

    [Fact]
    public async Task ADaemonThatDoesNotNameItsSecrets_GetsNothing()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.sections", """{"sections":[{"name":"root","scope":"local","collection":false,"fields":["password"]}]}""");
        daemon.Ok("config.set", "{}");

        var r = await CtlRun.RunAsync(daemon, "config", "set", "root.password", Secret);

        Assert.Equal(ExitCodes.Internal, r.Code);
        Assert.Contains("did not say which configuration fields are secret", r.Err);
        Assert.Equal(["config.sections"], daemon.Cmds);
        Assert.DoesNotContain(Secret, r.Err);
    }

    private static async Task<(int Code, string Out, string Err)> OnTerminalAsync(FakeDaemon daemon, string keys, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost(new StringReader(""), output, error) { Terminal = new ScriptedTerminal(keys) };
        var code = await Cli.RunAsync(["--socket", daemon.SocketPath, .. args], host, default).WaitAsync(CtlRun.Timeout);
        return (code, output.ToString(), error.ToString());
    }
}
