using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

public class CtlExitCodeTests
{
    [Theory]
    [InlineData("usage", 1)]
    [InlineData("validation", 2)]
    [InlineData("notfound", 2)]
    [InlineData("conflict", 2)]
    [InlineData("internal", 4)]
    public async Task ErrorKind_MapsToExitCode(string kind, int expected)
    {
        await using var daemon = new FakeDaemon();
        daemon.Fail("config.set", $$"""{"kind":"{{kind}}","message":"gateway is outside the LAN subnet","field":"ipv4.gateway","value":"10.9.9.1","rule":"inside ipv4.address/mask"}""");

        var r = await CtlRun.RunAsync(daemon, "config", "set", "ipv4.gateway", "10.9.9.1");

        Assert.Equal(expected, r.Code);
        Assert.Contains("error: gateway is outside the LAN subnet", r.Err);
        Assert.Contains("field: ipv4.gateway", r.Err);
        Assert.Contains("value: 10.9.9.1", r.Err);
        Assert.Contains("rule:  inside ipv4.address/mask", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task ConfigSet_SendsPathAndAllValues()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.set", """{"path":"dns.servers","old":["1.1.1.1"],"new":["9.9.9.9","8.8.8.8"]}""");

        var r = await CtlRun.RunAsync(daemon, "config", "set", "dns.servers", "9.9.9.9", "8.8.8.8");

        Assert.Equal(0, r.Code);
        Assert.Equal(["config.sections", "config.set"], daemon.Cmds); // first: is dns.servers a secret?
        var req = daemon.Requests.Last();
        Assert.Equal("""{"path":"dns.servers","values":["9.9.9.9","8.8.8.8"]}""", req["args"]!.ToJsonString());
        Assert.Equal(1, (int)req["v"]!);
        Assert.Equal("cli", (string)req["channel"]!);
        Assert.Contains("new   9.9.9.9, 8.8.8.8", r.Out);
    }

    [Fact]
    public async Task ConfigAdd_PairsBecomeFields_AndABadPairIsUsage()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("config.add", """{"section":"routes","name":"office"}""");

        var ok = await CtlRun.RunAsync(daemon, "config", "add", "routes", "office", "to=198.18.5.0/24", "via=198.18.0.1");
        var bad = await CtlRun.RunAsync(daemon, "config", "add", "routes", "lab", "to");

        Assert.Equal(0, ok.Code);
        Assert.Equal("""{"section":"routes","name":"office","fields":{"to":"198.18.5.0/24","via":"198.18.0.1"}}""",
            Assert.Single(daemon.Requests, r => (string)r["cmd"]! == "config.add")["args"]!.ToJsonString());
        Assert.Equal(1, bad.Code);
        Assert.Contains("error: 'to' is not key=value", bad.Err);
        Assert.Contains("config add SECTION NAME [key=value...]", bad.Err);
    }

    [Fact]
    public async Task UnknownCommand_IsUsageWithUsageText()
    {
        await using var daemon = new FakeDaemon();

        var unknown = await CtlRun.RunAsync(daemon, "frobnicate");
        var badSub = await CtlRun.RunAsync(daemon, "cluster", "explode");
        var missing = await CtlRun.RunAsync(daemon, "config", "get");

        Assert.Equal(1, unknown.Code);
        Assert.Contains("error: unknown command 'frobnicate'", unknown.Err);
        Assert.Contains("usage: appliancectl [--socket PATH] [--json] COMMAND", unknown.Err);
        Assert.Equal(1, badSub.Code);
        Assert.Contains("cluster set-peers ADDR...", badSub.Err);
        Assert.Equal(1, missing.Code);
        Assert.Contains("error: missing SECTION.FIELD", missing.Err);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task Help_AndCommandHelp_PrintUsageAndExitZero()
    {
        await using var daemon = new FakeDaemon();

        var help = await CtlRun.RunAsync(daemon, "help");
        var cmdHelp = await CtlRun.RunAsync(daemon, "config", "show", "--help");
        var groupHelp = await CtlRun.RunAsync(daemon, "firewall", "--help");

        Assert.Equal(0, help.Code);
        Assert.Contains("log events [--since T] [--limit N] [--follow]", help.Out);
        Assert.Contains("upgrade FILE", help.Out);
        Assert.Equal(0, cmdHelp.Code);
        Assert.Contains("usage: config show [SECTION] [--peer HOST]", cmdHelp.Out);
        Assert.Equal(0, groupHelp.Code);
        Assert.Contains("firewall rollback", groupHelp.Out);
        Assert.Empty(daemon.Requests);
    }

    [Fact]
    public async Task UnreachableSocket_ExitsThree_NamingThePath()
    {
        var dir = Directory.CreateTempSubdirectory("ctl-").FullName;
        try
        {
            var path = Path.Combine(dir, "missing.sock");
            var output = new StringWriter();
            var error = new StringWriter();

            var code = await Cli.RunAsync(["--socket", path, "status"], new StringReader(""), output, error).WaitAsync(CtlRun.Timeout);

            Assert.Equal(ExitCodes.Unreachable, code);
            Assert.Contains(path, error.ToString());
            Assert.Contains("is applianced running?", error.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task SocketFromEnvironment_AndOptionOverridesIt()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("alarms", """{"alarms":[]}""");
        var env = new Dictionary<string, string?> { [Cli.SocketVariable] = daemon.SocketPath };
        CliHost Host(StringWriter o) => new(new StringReader(""), o, new StringWriter()) { GetEnv = n => env.GetValueOrDefault(n) };

        var viaEnv = await Cli.RunAsync(["alarms"], Host(new StringWriter()), default).WaitAsync(CtlRun.Timeout);
        var viaOption = await Cli.RunAsync(["--socket", daemon.SocketPath + ".nope", "alarms"], Host(new StringWriter()), default).WaitAsync(CtlRun.Timeout);

        Assert.Equal(0, viaEnv);
        Assert.Equal(ExitCodes.Unreachable, viaOption);
    }

    [Fact]
    public async Task LogSince_RelativeBecomesIso_AndGarbageIsUsage()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("log.read", """{"entries":[{"time":"2026-11-25T10:00:00Z","text":"boot"}]}""");

        var ok = await CtlRun.RunAsync(daemon, "log", "events", "--since", "2h", "--limit", "5");
        var bad = await CtlRun.RunAsync(daemon, "log", "config", "--since", "yesterday-ish");

        Assert.Equal(0, ok.Code);
        var args = Assert.Single(daemon.Requests)["args"]!.AsObject();
        Assert.Equal("events", (string)args["log"]!);
        Assert.Equal(5, (int)args["limit"]!);
        var since = DateTimeOffset.Parse((string)args["since"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - since, TimeSpan.FromMinutes(119), TimeSpan.FromMinutes(121));
        Assert.Equal(1, bad.Code);
        Assert.Contains("--since: 'yesterday-ish' is not a time", bad.Err);
    }

    [Fact]
    public void Since_AcceptsIsoAndAges()
    {
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("2026-11-25T11:50:00Z", ArgConverters.Since("10m", now).ToString());
        Assert.Equal("2026-11-24T12:00:00Z", ArgConverters.Since("1d", now).ToString());
        Assert.Equal("2026-11-25T08:00:00Z", ArgConverters.Since("2026-11-25T10:00:00+02:00", now).ToString());
        Assert.Equal("2026-11-25T10:00:00Z", ArgConverters.Since("2026-11-25T10:00:00", now).ToString());
    }
}
