using System.Text.RegularExpressions;
using Appliance.Ctl;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// R15's configuration log on a clustered peer (issue 18, point 14): what peers replicate is logged
/// under their host names, and `appliancectl log config` reads in 100 columns.
/// </summary>
public partial class ConfigLogTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex PeerId();

    [Fact(Timeout = 150_000)]
    public async Task ReplicatedEntries_NameThePeerByHostName_AndTheCliFitsThemIn100Columns()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "from-p1", ("address", "bridge-with-a-rather-long-host-name.conferencing.example.test"),
            ("user", "an-operator-account-with-a-long-name-too"), ("port", "8443"));
        await c[0].Add("locations", "hq", ("description", string.Join(" ", Enumerable.Repeat("the head office on the third floor", 4))));

        await Eventually.WaitUntil(async () => (await c[1].LogEntries("config")).Any(e => (string?)e["field"] == "locations.hq"),
            Settle, "p1's location in p2's configuration log");
        var entries = await c[1].LogEntries("config");
        var bridge = entries.Single(e => (string?)e["field"] == "bridges.from-p1");
        Assert.Equal(("p1", "peer"), ((string?)bridge["user"], (string?)bridge["channel"]));
        Assert.DoesNotMatch(PeerId(), string.Join("\n", entries.Select(e => e.ToJsonString())));

        var cli = new StringWriter { NewLine = "\n" };
        var error = new StringWriter();
        var code = await Cli.RunAsync(["--socket", c[1].SocketPath, "log", "config"], new StringReader(""), cli, error).WaitAsync(Settle);
        Assert.Equal(ExitCodes.Ok, code);
        var text = cli.ToString();
        output.WriteLine(text);
        var lines = text.Split('\n');
        Assert.True(lines.All(l => l.Length <= 100), $"lines wider than 100 columns:\n{string.Join("\n", lines.Where(l => l.Length > 100))}");
        Assert.Contains(lines, l => l.Contains("p1 (peer)", StringComparison.Ordinal) && l.Contains("bridges.from-p1 replicated", StringComparison.Ordinal));
        Assert.Contains("bridge-with-a-rather-long-host-name.conferencing.example.test", text.Replace("\n", "", StringComparison.Ordinal)
            .Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotMatch(PeerId(), text);
    }
}
