using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// What a join keeps and what it gives up (R8, R9; issue 18, point 12): the joiner's live conference
/// status is merged into the cluster, and the shared configuration it gives up is named in the
/// join's message and in the configuration log.
/// </summary>
public class JoinMergeTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);

    [Fact(Timeout = 200_000)]
    public async Task Joiner_KeepsItsLiveConferences_AndNamesTheConfigurationItGivesUp()
    {
        await using var c = await TestCluster.StartAsync(2);
        foreach (var p in c.Peers) await p.Add("bridges", "b1", ("address", "10.0.0.1"));
        await c[0].AddConference("on-the-cluster", 2);
        await c[1].Add("bridges", "joiners-bridge", ("address", "10.0.0.2"));
        await c[1].Add("locations", "joiners-office");
        await c[1].AddConference("live-on-the-joiner", 3);

        await c.FormAsync();

        foreach (var p in c.Peers)
        {
            await Eventually.WaitUntil(async () => (await p.Items("conferences")).TryGetValue("live-on-the-joiner", out var conf)
                && (int)conf["participants"]! == 3 && (await p.Items("conferences")).ContainsKey("on-the-cluster"),
                Settle, $"{p.Name}: both conferences after the join", c.DescribeAsync);
        }
        Assert.False((await c[1].Items("bridges")).ContainsKey("joiners-bridge"), "the joiner's shared configuration was replaced");

        var joined = (await c[1].LogEntries("events")).Select(e => (string?)e["message"] ?? "").Single(m => m.Contains("joined cluster", StringComparison.Ordinal));
        Assert.Contains("bridges: b1, joiners-bridge", joined, StringComparison.Ordinal);
        Assert.Contains("locations: joiners-office", joined, StringComparison.Ordinal);
        Assert.Contains("1 live conference records merged", joined, StringComparison.Ordinal);

        var replaced = (await c[1].LogEntries("config")).Where(e => (string?)e["channel"] == "cluster" && (string?)e["level"] == "change")
            .ToDictionary(e => (string)e["field"]!, e => (string?)e["old"]);
        Assert.Equal("bridges: b1, joiners-bridge", replaced.GetValueOrDefault("bridges"));
        Assert.Equal("locations: joiners-office", replaced.GetValueOrDefault("locations"));
        Assert.False(replaced.ContainsKey("conferences"), "conference status is merged, not replaced");
    }
}
