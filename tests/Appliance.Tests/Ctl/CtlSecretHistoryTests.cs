using Appliance.Ctl;
using Appliance.Daemon.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Ctl;

/// <summary>Which words name a secret field, and the shell history that must never hold one.</summary>
public class CtlSecretHistoryTests
{
    private static readonly SectionCatalog Catalog = SectionCatalog.From(ConfigSchema.Describe())!;

    [Theory]
    [InlineData("root.password", "root.password")]
    [InlineData("Root.PASSWORD=x", "root.password")]
    [InlineData("bridges.eu.1.password", "bridges.eu.1.password")]
    [InlineData("snmp.community", "snmp.community")]
    [InlineData("cluster.key", "cluster.key")]
    [InlineData("bridges.password", null)] // the item "password", as the daemon reads it
    [InlineData("bridges.b1.address", null)]
    [InlineData("dns.servers", null)]
    [InlineData("nosuch.password", null)]
    [InlineData("password", null)]
    public void SecretPath_ResolvesLikeTheDaemon(string word, string? expected) =>
        Assert.Equal(expected, Catalog.SecretPath(word));

    [Theory]
    [InlineData("config set root.password x", true)]
    [InlineData("config set root.password", true)]
    [InlineData("--json config set Admin.Password=x", true)]
    [InlineData("config add bridges b1 address=198.18.0.5 password", true)]
    [InlineData("config add BRIDGES b1 PASSWORD=x", true)]
    [InlineData("cluster set-key x", true)]
    [InlineData("cluster set-key", true)]
    [InlineData("config add bridges b1 address=198.18.0.5 user=admin", false)]
    [InlineData("config set system.hostname password", false)]
    [InlineData("config show bridges", false)]
    [InlineData("status", false)]
    public void NamesSecret_InAnyForm(string line, bool expected) =>
        Assert.Equal(expected, HistoryFilter.NamesSecret(Tokenizer.Split(line), Catalog));

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
