using System.Text.Json.Nodes;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Node;

/// <summary>What replication writes into the configuration log, with real stores and a real log directory.</summary>
public sealed class ReplicationLogTests : IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private readonly StoreClass _local;
    private readonly StoreClass _remote;
    private readonly NodeLogs _logs;

    public ReplicationLogTests()
    {
        _local = StoreClass.Open(_dir["local"]);
        _remote = StoreClass.Open(_dir["remote"]);
        _logs = new NodeLogs(_dir["data"], 1 << 20, TimeProvider.System);
        new ReplicationLog(new ConfigStore(_local, _logs), _logs).Attach(_local);
    }

    public void Dispose()
    {
        _local.Dispose();
        _remote.Dispose();
        _dir.Dispose();
    }

    private static Mutation Bridge(string name, string address) =>
        new(Scopes.Cluster, "bridges", name, $$"""{"name":"{{name}}","address":"{{address}}","protocol":"https"}""");

    private static Mutation Conference(int n) =>
        new(Scopes.Cluster, "conferences", $"c{n}", $$"""{"name":"c{{n}}","bridge":"b1","template":"t1","participants":{{n}},"started":"2026-11-25T10:00:00Z"}""");

    private async Task<LogEntry> WaitForEntry(Func<LogEntry, bool> match, string what)
    {
        LogEntry? found = null;
        await Eventually.WaitUntil(() => Task.FromResult((found = _logs.Config.Read().FirstOrDefault(match)) is not null), Settle, what, pollMs: 10);
        return found!;
    }

    [Fact]
    public async Task Replicated_configuration_is_logged_and_replicated_conference_status_is_not()
    {
        _local.ApplyRemote(_remote.Write([Conference(1)]).Operations);
        _local.ApplyRemote(_remote.Write(Enumerable.Range(2, 30).Select(Conference).ToList()).Operations);
        _local.ApplyRemote(_remote.Write([Bridge("b1", "198.18.0.5")]).Operations);

        // The log is written in commit order: once the bridge is there, the status commits were seen.
        var bridge = await WaitForEntry(e => e.Field == "bridges.b1", "the replicated bridge in the configuration log");
        Assert.Equal("peer", bridge.Channel);
        Assert.Contains("198.18.0.5", bridge.New);
        var entries = _logs.Config.Read();
        Assert.DoesNotContain(entries, e => e.Field?.StartsWith("conferences", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(entries, e => e.Message.Contains("records replicated", StringComparison.Ordinal));
        Assert.Single(entries);
    }

    [Fact]
    public async Task Many_replicated_configuration_records_are_summed_up_without_the_status_among_them()
    {
        var mixed = Enumerable.Range(0, 25).Select(i => Bridge($"b{i}", $"198.18.1.{i + 1}")).Concat(Enumerable.Range(0, 40).Select(Conference)).ToList();
        _local.ApplyRemote(_remote.Write(mixed).Operations);

        var summary = await WaitForEntry(e => e.Message.Contains("records replicated", StringComparison.Ordinal), "the summary line");
        Assert.Equal("25 records replicated from peers", summary.Message);
    }

    [Fact]
    public async Task A_lost_concurrent_write_is_logged_with_both_values()
    {
        _local.Write([Bridge("b1", "198.18.0.5")]);
        var result = _local.ApplyRemote(_remote.Write([Bridge("b1", "198.18.0.6")]).Operations);
        var conflict = Assert.Single(result.Commit.Conflicts);

        var entry = await WaitForEntry(e => e.Level == "conflict", "the conflict in the configuration log");
        Assert.Equal("bridges.b1", entry.Field);
        Assert.Contains(AddressOf(conflict.Winner), entry.New);
        Assert.Contains(AddressOf(conflict.Loser), entry.Old);
        Assert.Contains($"peer {conflict.Loser.Version.Origin[..8]}", entry.Message); // no host name known for it here
    }

    [Fact]
    public async Task Replicated_lines_name_the_writer_by_its_host_name_as_it_is_when_written()
    {
        var writer = _remote.PeerId;
        Mutation Hostname(string name) => new(Scopes.Peer(writer), "system", "", $$"""{"hostname":"{{name}}"}""");

        _local.ApplyRemote(_remote.Write([Bridge("b1", "198.18.0.1")]).Operations);
        Assert.Equal($"peer {writer[..8]}", (await WaitForEntry(e => e.Field == "bridges.b1", "b1 replicated")).User);

        // Names are remembered between lines (issue 19); a peer's new system settings replace what was remembered.
        _local.ApplyRemote(_remote.Write([Hostname("alpha")]).Operations);
        _local.ApplyRemote(_remote.Write([Bridge("b2", "198.18.0.2")]).Operations);
        Assert.Equal("alpha", (await WaitForEntry(e => e.Field == "bridges.b2", "b2 replicated")).User);
        _local.ApplyRemote(_remote.Write([Bridge("b3", "198.18.0.3")]).Operations);
        Assert.Equal("alpha", (await WaitForEntry(e => e.Field == "bridges.b3", "b3 replicated")).User);

        _local.ApplyRemote(_remote.Write([Hostname("beta")]).Operations);
        _local.ApplyRemote(_remote.Write([Bridge("b4", "198.18.0.4")]).Operations);
        Assert.Equal("beta", (await WaitForEntry(e => e.Field == "bridges.b4", "b4 replicated")).User);
    }

    private static string AddressOf(StoredRecord bridge) => JsonNode.Parse(bridge.Value!)!["address"]!.GetValue<string>();
}
