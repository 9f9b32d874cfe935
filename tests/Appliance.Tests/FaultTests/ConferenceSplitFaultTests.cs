using System.Text.Json.Nodes;
using Appliance.Tests.Harness;
using Appliance.Tests.NetworkTests;
using Xunit.Abstractions;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// The split rule on real peers with a real partition (issue 21; CONFERENCING.md): both peers place
/// the same new conference while cut apart, each on its own bridge. After the heal both hold the
/// same record, the peer whose placement lost says it moves its participants to the kept bridge and
/// destroys its own, and the peer whose placement was kept has nothing to do.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class ConferenceSplitFaultTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 180_000)]
    public async Task A_conference_placed_on_both_sides_of_a_partition_ends_on_one_bridge_and_the_loser_gives_way()
    {
        var mk = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{mk}-Cluster!", NetworkTestLog.FormTimeout);
        var (p1, p2) = (cluster[0], cluster[1]);
        var id1 = (string)(await p1.Api.CallAsync("status"))["peerId"]!;
        var id2 = (string)(await p2.Api.CallAsync("status"))["peerId"]!;
        await p1.Api.AddAsync("bridges", "b1", new Dictionary<string, string> { ["address"] = "198.18.2.10" });
        await p1.Api.AddAsync("bridges", "b2", new Dictionary<string, string> { ["address"] = "198.18.2.11" });
        await p1.Api.AddAsync("templates", "t1", new Dictionary<string, string>());
        await FaultChecks.UntilAsync("b1, b2 and t1 on p2", async () =>
            (await Names(p2, "bridges")).Count == 2 && (await Names(p2, "templates")).Count == 1, TimeSpan.FromSeconds(30));

        await cluster.Faults.CutAsync(p1.Host, p2.Host);
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(15));
        var name = $"meet-{mk}";
        await Place(p1, name, "b1", 2, "2026-11-25T10:00:00Z", id1);
        await Place(p2, name, "b2", 3, "2026-11-25T10:00:01Z", id2);
        Assert.Equal("b1", (await Conference(p1, name))["bridge"]!.ToString());
        Assert.Equal("b2", (await Conference(p2, name))["bridge"]!.ToString());

        await cluster.Faults.RestoreAsync(p1.Host, p2.Host);
        await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(60), _log.Write);
        var kept = await Conference(p1, name);
        Assert.Equal(kept.ToJsonString(), (await Conference(p2, name)).ToJsonString());
        var keptBridge = kept["bridge"]!.ToString();
        var (winner, loser, lostBridge, moved) = keptBridge == "b1" ? (p1, p2, "b2", 3) : (p2, p1, "b1", 2);
        _log.Write($"{name}: kept on {keptBridge} (placed by {winner.Host.Name}); {loser.Host.Name}'s placement on {lostBridge} gave way");
        Assert.Equal(keptBridge == "b1" ? id1 : id2, kept["placedBy"]!.ToString());
        foreach (var p in cluster.Peers)
        {
            var row = (await p.Api.CallAsync("conferences.show"))["conferences"]!.AsArray().Single(c => c!["name"]!.ToString() == name)!;
            Assert.Equal(keptBridge, row["bridge"]!.ToString());
        }

        var expected = $"conference {name} was placed twice; the kept record has it on bridge {keptBridge}: this peer moves its {moved} participants there and destroys its own on bridge {lostBridge}";
        await FaultChecks.UntilAsync($"{loser.Host.Name} logs that its placement gives way", async () => (await Events(loser)).Contains(expected), TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(await Events(winner), e => e.Contains("was placed twice", StringComparison.Ordinal));

        // Settled for good: the winner goes on writing its record (a join) and nothing changes sides.
        await winner.Api.SetAsync($"conferences.{name}.participants", "4");
        await FaultChecks.UntilAsync("the join reaches the loser", async () => (await Conference(loser, name))["participants"]!.ToString() == "4", TimeSpan.FromSeconds(30));
        Assert.Equal(keptBridge, (await Conference(loser, name))["bridge"]!.ToString());
        Assert.Single(await Events(loser), e => e.Contains("was placed twice", StringComparison.Ordinal));
    }

    private static Task<JsonNode> Place(PeerProcess peer, string name, string bridge, int participants, string started, string peerId) =>
        peer.Api.AddAsync("conferences", name, new Dictionary<string, string>
        {
            ["bridge"] = bridge,
            ["template"] = "t1",
            ["participants"] = participants.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["started"] = started,
            ["placedBy"] = peerId,
        });

    private static async Task<JsonObject> Conference(PeerProcess peer, string name) =>
        (await peer.Api.ShowAsync("conferences"))["sections"]![0]!["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["name"]!.ToString() == name);

    private static async Task<IReadOnlyList<string>> Names(PeerProcess peer, string section) =>
        [.. (await peer.Api.ShowAsync(section))["sections"]![0]!["items"]!.AsArray().Select(i => i!["name"]!.ToString())];

    private static async Task<IReadOnlyList<string>> Events(PeerProcess peer) =>
        [.. (await peer.Api.CallAsync("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray().Select(e => e!["message"]!.ToString())];
}
