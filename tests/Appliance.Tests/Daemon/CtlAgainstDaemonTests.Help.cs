using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Appliance.Ctl;
using Appliance.Daemon.Config;

namespace Appliance.Tests.Lifecycle;

public partial class CtlAgainstDaemonTests
{
    private static readonly Regex IsoUtc = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$");

    [Fact(Timeout = 60_000)]
    public async Task HelpConfigSet_ListsEveryFieldFromTheDaemonsSchema_InEightyColumns()
    {
        var output = new StringWriter { NewLine = "\n" };
        var host = new CliHost(new StringReader(""), output, new StringWriter()) { Columns = 80 };
        Assert.Equal(ExitCodes.Ok, await Cli.RunAsync(["--socket", _d.Daemon.SocketPath, "help", "config", "set"], host, default).WaitAsync(T));
        var text = output.ToString();
        var joined = string.Join(' ', text.Split('\n').Select(l => l.Trim()));

        Assert.All(text.Split('\n'), l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.Contains("example: config set ", text, StringComparison.Ordinal);
        foreach (var section in ConfigSchema.All)
        {
            Assert.Contains($"{section.Name} (", text, StringComparison.Ordinal);
            foreach (var field in section.Fields)
            {
                Assert.Contains("  " + field.Name + " ", text, StringComparison.Ordinal);
                Assert.Contains(field.Help, joined, StringComparison.Ordinal);
            }
        }
        Assert.Contains("one of auto, 10half, 10full, 100half, 100full, 1000full; required; default auto", joined, StringComparison.Ordinal);
        Assert.Contains("whole number 1..65535", joined, StringComparison.Ordinal);

        var one = await Ctl("help", "config", "set", "bridges");
        Assert.Contains("bridges (collection, cluster)", one.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("ipv4 (", one.Out, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Json_TimesAreIsoUtc_AnAlarmNotLoweredIsNull_PeopleSeeLocalTime()
    {
        var alarms = JsonNode.Parse((await Ctl("--json", "alarms")).Out)!["alarms"]!.AsArray();
        var events = JsonNode.Parse((await Ctl("--json", "log", "events")).Out)!["entries"]!.AsArray();

        var raised = Assert.Single(alarms, a => (string?)a!["id"] == "no-dns-server")!; // a fresh peer has no DNS server
        Assert.Matches(IsoUtc, (string)raised["raised"]!);
        Assert.True(raised.AsObject().TryGetPropertyValue("lowered", out var lowered) && lowered is null, $"lowered: {lowered?.ToJsonString()}");
        Assert.All(events, e => Assert.Matches(IsoUtc, (string)e!["time"]!));

        var people = (await Ctl("alarms")).Out;
        Assert.Contains(PeopleTime.LocalIfTime((string)raised["raised"]!), people, StringComparison.Ordinal);
        Assert.DoesNotContain((string)raised["raised"]!, people, StringComparison.Ordinal);
    }
}
