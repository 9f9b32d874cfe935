using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

/// <summary>Names operators know (`show ...`, `license`) reach the table's commands; examples parse;
/// output and help fit the terminal's width, and --wide shows all.</summary>
public class CtlAliasAndFitTests
{
    [Theory]
    [InlineData("license show", "licence.show", "{}")]
    [InlineData("license add -", "licence.add", """{"file":"-"}""")]
    [InlineData("show status", "status", "{}")]
    [InlineData("show cluster", "cluster.show", "{}")]
    [InlineData("show alarms", "alarms", "{}")]
    [InlineData("show config ipv4 --peer node-b", "config.show", """{"peer":"node-b","section":"ipv4"}""")]
    public void Aliases_ReachTheCommandsOfTheTable(string line, string cmd, string args)
    {
        var (spec, rest) = CommandLine.Match(Tokenizer.Split(line));
        Assert.Equal(cmd, spec.ApiCmd);
        Assert.Equal(args, CommandLine.Parse(spec, rest).Args.ToJsonString());
    }

    [Fact]
    public async Task ShowAlone_ListsTheShowFamily_AndAnUnknownOneIsAUsageError()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.show", """{"sections":[]}""");

        var help = await CtlRun.RunAsync(daemon, "show", "--help");
        var unknown = await CtlRun.RunAsync(daemon, "show", "frobs");
        var ok = await CtlRun.RunAsync(daemon, "show", "config", "dns");

        Assert.Equal(ExitCodes.Ok, help.Code);
        Assert.Contains("show config [SECTION] [--peer HOST]", help.Out);
        Assert.Contains("(= config show)", string.Join(' ', help.Out.Split('\n').Select(l => l.Trim())));
        Assert.Equal(ExitCodes.Usage, unknown.Code);
        Assert.Contains("unknown command 'show frobs'", unknown.Err);
        Assert.Equal(ExitCodes.Ok, ok.Code);
        Assert.Equal("dns", (string?)daemon.Requests.Single()["args"]!["section"]);
    }

    [Fact]
    public void EveryCommand_HasAnExample_ThatParsesAsThatCommand()
    {
        foreach (var spec in Commands.All)
        {
            var example = Examples.For(spec);
            Assert.True(example is not null, $"no example for '{spec.Words}'");
            var words = Tokenizer.Split(example!.Split(" < ")[0]);
            var (matched, rest) = CommandLine.Match(words);
            Assert.Equal(spec.Words, matched.Words);
            CommandLine.Parse(matched, rest);
        }
    }

    [Fact]
    public async Task HelpAndTables_FitTheTerminal_AndWideShowsAll()
    {
        await using var daemon = new FakeDaemon();
        var message = string.Join(' ', Enumerable.Repeat("a long log message that goes on", 6));
        daemon.Ok("log.read", $$"""
            {"title":"events log","entries":[{"time":"2026-11-25T10:00:00Z","level":"info","user":"{{new string('u', 50)}}","message":"{{message}}"}]}
            """);
        // Any list of objects that is not a log is a table.
        daemon.Ok("alarms", $$"""
            {"title":"alarms","alarms":[{"when":"2026-11-25T10:00:00Z","user":"{{new string('u', 50)}}","note":"{{message}}"}]}
            """);

        var help = await Run(daemon, 80, "help");
        var log = await Run(daemon, 80, "log", "events");
        var narrow = await Run(daemon, 80, "alarms");
        var wide = await Run(daemon, 80, "alarms", "--wide");

        foreach (var output in new[] { help, log, narrow })
            Assert.All(output.Out.Split('\n'), l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.Contains(PeopleTime.LocalIfTime("2026-11-25T10:00:00Z"), log.Out); // local time for people
        // The 50-column name leaves no room beside it: the message goes below, indented, whole.
        Assert.Equal(message, string.Join(' ', log.Out.Split('\n').Where(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Trim())));
        // Long cells wrap in their columns: the user name over several lines, the note under itself.
        var lines = narrow.Out.Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("when ", StringComparison.Ordinal));
        var at = lines[header].IndexOf("note", StringComparison.Ordinal);
        Assert.DoesNotContain(new string('u', 50), narrow.Out);
        var user = lines[header].IndexOf("user", StringComparison.Ordinal);
        var rows = lines[(header + 1)..].Where(l => l.Length > at).ToList();
        Assert.Equal(new string('u', 50), string.Concat(rows.Select(l => l[user..at].Trim())));
        Assert.Equal(message, string.Join(' ', rows.Select(l => l[at..].Trim())));
        Assert.Contains(new string('u', 50), wide.Out);
        Assert.Contains(wide.Out.Split('\n'), l => l.Length > 80 && l.EndsWith(message, StringComparison.Ordinal));
        Assert.Contains(PeopleTime.LocalIfTime("2026-11-25T10:00:00Z"), narrow.Out);
    }

    [Theory]
    [InlineData(42, "42 s")]
    [InlineData(4242, "1 h 10 min")]
    [InlineData(3 * 86400 + 4 * 3600 + 59, "3 d 4 h")]
    [InlineData(86400, "1 d")]
    public void Durations_ReadAsTwoUnits(double seconds, string expected) => Assert.Equal(expected, PeopleTime.Duration(seconds));

    private static async Task<CtlResult> Run(FakeDaemon daemon, int columns, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var host = new CliHost(new StringReader(""), output, error) { Columns = columns };
        var code = await Cli.RunAsync(["--socket", daemon.SocketPath, .. args], host, default).WaitAsync(CtlRun.Timeout);
        return new CtlResult(code, output.ToString(), error.ToString());
    }
}
