using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.Ctl;

/// <summary>The shell history never holds a line that names a secret field.</summary>
public class CtlSecretHistoryTests
{
    [Fact]
    public async Task ShellStart_RemovesSecretLinesAnOlderVersionKept_AndKeepsTheRest()
    {
        using var home = new TempDirectory();
        var file = home[".appliancectl_history"];
        await File.WriteAllLinesAsync(file, ["status", "config set root.password Old-Secret-1", "config show dns",
            "config add bridges b1 address=198.18.0.5 password=Old-Secret-2", "cluster set-key Old-Secret-3"]);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        await using var daemon = new FakeDaemon();

        var code = await RunShellAsync(daemon.SocketPath, home.Path, "alarms\n");

        Assert.Equal(ExitCodes.Usage, code); // alarms: the fake daemon does not know it
        Assert.Equal(["status", "config show dns", "alarms"], await File.ReadAllLinesAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task WithoutTheDaemon_NoLineIsKept_SinceNoneCanBeTold()
    {
        using var home = new TempDirectory();

        var code = await RunShellAsync(home["none.sock"], home.Path, "config set root.password Unsure-Secret\nstatus\n");

        Assert.Equal(ExitCodes.Unreachable, code);
        Assert.False(File.Exists(home[".appliancectl_history"]));
    }

    private static async Task<int> RunShellAsync(string socket, string home, string keys)
    {
        var host = new CliHost(new StringReader(""), new StringWriter(), new StringWriter())
        {
            Terminal = new ScriptedTerminal(keys),
            GetEnv = n => n == "HOME" ? home : null,
        };
        return await Cli.RunAsync(["--socket", socket], host, default).WaitAsync(CtlRun.Timeout);
    }
}
