using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Issue 21: the placement chain's rules across peers. Each peer's change is valid where it was made
/// (one peer names a bridge and a template in a pool and an alias while the other, away, removes
/// them); together they break the chain. The records stay on both peers, each with an alarm naming
/// the record and the rule, lowered once the chain holds again.
/// </summary>
public class ConferencingRulesClusterTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);

    [Fact(Timeout = 240_000)]
    public async Task A_chain_broken_by_two_valid_changes_on_two_peers_raises_an_alarm_per_record_on_both_until_mended()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "b1", ("address", "198.18.2.10"));
        await c[0].Add("bridges", "b2", ("address", "198.18.2.11"));
        await c[0].Add("templates", "t1");
        await c[0].Add("templates", "t2");
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).Count == 2 && (await c[1].Items("templates")).Count == 2,
            Settle, "bridges and templates on p2");

        await c[1].StopAsync();
        await c[0].Add("bridge-pools", "eu", ("bridges", "b1,b2"));
        await c[0].Add("conference-aliases", "meet", ("pattern", @"meet\.(\d+)"), ("conference", "meet-$1"), ("priority", "10"), ("template", "t2"));
        await c[0].StopAsync();
        await c[1].StartAsync();
        await c[1].Remove("bridges", "b2"); // p2 knows no pool naming it
        await c[1].Remove("templates", "t2");
        await c[0].StartAsync();
        await c.WaitAllActiveAsync();

        foreach (var peer in c.Peers)
        {
            await Eventually.WaitUntil(async () => (await peer.RuleAlarms()).Count == 2, Settle, $"two rule alarms on {peer.Name}",
                async () => string.Join("\n", (await peer.RuleAlarms()).Select(a => $"{a["id"]}: {a["text"]}")));
            var alarms = await peer.RuleAlarms();
            var pool = Assert.Single(alarms, a => ((string)a["id"]!).EndsWith("cluster/bridge-pools/eu", StringComparison.Ordinal));
            Assert.Contains("bridge-pools.eu.bridges: \"b2\" is not a bridge (configured: b1;", (string)pool["text"]!, StringComparison.Ordinal);
            var alias = Assert.Single(alarms, a => ((string)a["id"]!).EndsWith("cluster/conference-aliases/meet", StringComparison.Ordinal));
            Assert.Contains("conference-aliases.meet.template: \"t2\" is not one of the templates", (string)alias["text"]!, StringComparison.Ordinal);
        }
        Assert.True((await c[1].Items("bridge-pools")).ContainsKey("eu")); // kept, not dropped

        await c[1].Set("bridge-pools.eu.bridges", "b1");
        await c[0].Set("conference-aliases.meet.template", "t1");
        foreach (var peer in c.Peers)
        {
            await Eventually.WaitUntil(async () => (await peer.RuleAlarms()).Count == 0, Settle, $"the rule alarms lowered on {peer.Name}",
                async () => string.Join("\n", (await peer.RuleAlarms()).Select(a => $"{a["id"]}: {a["text"]}")));
        }
    }
}
