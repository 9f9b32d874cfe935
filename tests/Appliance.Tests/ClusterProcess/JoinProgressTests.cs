using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Appliance.Tests.Ctl;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// While a join copies the cluster's records, `cluster show` on the joiner says how far it is, on
/// the row of the peer they come from (issue 20, point 8): "Joining: 4,200 of 10,000 records (42%)"
/// for people, the figures of a progress event in `copies` for --json; both are gone once it is done.
/// </summary>
public class JoinProgressTests(ITestOutputHelper output)
{
    /// <summary>More than the live stream carries (20,000 operations behind): the join copies them over recovery.</summary>
    private const int Records = 25_000;

    [Fact(Timeout = 300_000)]
    public async Task WhileAJoinCopiesRecords_ClusterShowOnTheJoinerSaysHowFar()
    {
        await using var c = await TestCluster.StartAsync(2, extraArgs: i => i == 1 ? ["--test-faults"] : []);
        await c[0].StopAsync();
        StoreFill.Locations(c[0].DataDir, "joined", Records);
        await c[0].StartAsync();
        await c.FormOnFirstAsync();
        // The copy comes in batches of 2,000: a second's pause after each makes it last long enough to watch.
        await c[1].Api("test.slow", new JsonObject { ["recoveryBatchMs"] = 1000 });

        string[] both = [c.Address(0), c.Address(1)];
        await c[0].SetPeers(both);
        await c[1].SetKey(TestCluster.Key);
        await c[1].SetPeers(both);

        // Part-way: some records copied, not all.
        var partWay = new Regex(@"Joining: [1-9][0-9,]* of [0-9]{2},[0-9]{3} records \(([0-9]|[1-9][0-9])%\)");
        var text = "";
        await Eventually.WaitUntil(async () => partWay.IsMatch(text = (await CtlProcess.RunAsync(c[1].SocketPath, "cluster", "show")).Out),
            TimeSpan.FromSeconds(120), "`cluster show` on the joiner showing the join part-way",
            async () => $"{text}\n{await LastEventsAsync(c[0])}\n{await LastEventsAsync(c[1])}", pollMs: 100);
        output.WriteLine(text);

        JsonObject? shown = null;
        await Eventually.WaitUntil(async () =>
        {
            shown = JsonNode.Parse((await CtlProcess.RunAsync(c[1].SocketPath, "--json", "cluster", "show")).Out)!.AsObject();
            return shown["copies"] is JsonArray { Count: 1 };
        }, TimeSpan.FromSeconds(60), "`cluster show --json` on the joiner listing the copy", () => Task.FromResult(shown?.ToJsonString() ?? ""), pollMs: 100);
        var copy = shown!["copies"]![0]!;
        Assert.Equal("joining", (string)copy["kind"]!);
        Assert.Equal(c.Address(0), (string)copy["address"]!);
        Assert.Equal("records", (string)copy["unit"]!);
        Assert.True((long)copy["total"]! >= Records && (long)copy["done"]! < (long)copy["total"]!, copy.ToJsonString());
        Assert.True((int)copy["percent"]! < 100, copy.ToJsonString());
        var row = shown["peers"]!.AsArray().Single(p => (string)p!["address"]! == c.Address(0))!;
        Assert.Matches(@"^Joining: [0-9,]+ of [0-9,]+ records \([0-9]+%\)$", (string)row["copy"]!);

        await Eventually.WaitUntil(async () => (await c[1].Api("cluster.show"))["copies"] is null, TimeSpan.FromSeconds(120),
            "no copy shown once the join is done", c.DescribeAsync);
        Assert.Equal(Records, (await c[1].Items("locations")).Count);
        Assert.DoesNotContain("copy", (await c[1].Api("cluster.show"))["peers"]!.AsArray().SelectMany(p => p!.AsObject().Select(kv => kv.Key)));
    }

    private static async Task<string> LastEventsAsync(DaemonProcess peer) =>
        $"{peer.Name}:\n" + string.Join("\n", (await peer.LogEntries("events")).TakeLast(15).Select(e => (string?)e["message"]));
}
