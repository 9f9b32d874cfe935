using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

public class CtlParsingTests
{
    [Theory]
    [InlineData("config set dns.search \"lab example\"", new[] { "config", "set", "dns.search", "lab example" })]
    [InlineData("  a   b  ", new[] { "a", "b" })]
    [InlineData("x \"\" y", new[] { "x", "", "y" })]
    [InlineData("say \"a \\\"q\\\" \\\\ b\"", new[] { "say", "a \"q\" \\ b" })]
    [InlineData("pre\"fix suf\"x", new[] { "prefix sufx" })]
    public void Tokenizer_SplitsOnSpacesAndHonoursDoubleQuotes(string line, string[] expected) =>
        Assert.Equal(expected, Tokenizer.Split(line));

    [Fact]
    public void Tokenizer_UnclosedQuote_IsAUsageError() =>
        Assert.Contains("not closed", Assert.Throws<UsageException>(() => Tokenizer.Split("set \"x")).Message);

    [Fact]
    public void EveryCommandMapsToAnApiCmd_AndWordsAreUnique()
    {
        Assert.All(Commands.All, c => Assert.Matches(@"^[a-z]+(\.[a-zA-Z]+)?$", c.ApiCmd));
        Assert.Equal(Commands.All.Length, Commands.All.Select(c => c.Words).Distinct().Count());
    }

    [Theory]
    [InlineData("firewall stage zone=lan", "firewall.stage", """{"zone":"lan"}""")]
    [InlineData("cluster set-peers 198.18.0.2 198.18.0.3", "cluster.setPeers", """{"addresses":["198.18.0.2","198.18.0.3"]}""")]
    [InlineData("config show --peer node-b ipv4", "config.show", """{"peer":"node-b","section":"ipv4"}""")]
    [InlineData("config set system.offset -- --5", "config.set", """{"path":"system.offset","values":["--5"]}""")]
    [InlineData("upgrade status", "upgrade.status", "{}")]
    [InlineData("backup list", "backup.list", "{}")]
    public void Parse_BuildsTheApiArgs(string line, string cmd, string args)
    {
        var (spec, rest) = CommandLine.Match(Tokenizer.Split(line));
        var parsed = CommandLine.Parse(spec, rest);
        Assert.Equal(cmd, spec.ApiCmd);
        Assert.Equal(args, parsed.Args.ToJsonString());
    }

    [Fact]
    public async Task Upgrade_of_a_missing_file_is_a_usage_error_and_nothing_is_sent()
    {
        await using var daemon = new FakeDaemon();
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.tar.gz");
        var r = await CtlRun.RunAsync(daemon, "upgrade", missing, "--yes");
        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains($"cannot read {missing}:", r.Err);
        Assert.Empty(daemon.Requests);
        var stdin = await CtlRun.RunAsync(daemon, "upgrade", "-", "--yes");
        Assert.Equal(ExitCodes.Usage, stdin.Code);
        Assert.Contains("--signature", stdin.Err);
    }
}
