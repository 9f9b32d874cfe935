using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Security;

/// <summary>
/// Issue 16, points 6 and 7: whatever a client sends, the answer is an error of the right kind
/// (usage or validation, never internal with a stack trace in the event log) and the connection
/// stays usable (PROTOCOL.md's promise). An empty cluster key is refused, not taken as "leave".
/// </summary>
public sealed class ApiErrorContractTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(15);
    private readonly StandaloneDaemon _d = new(bind: true);

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    public static TheoryData<string, string, string> BadRequests => new()
    {
        { """{"v":1,"cmd":"status","cmd":"cluster.leave"}""", "usage", "duplicate" },
        { """{"v":1,"cmd":"config.add","args":{"section":"bridges","name":"b1","fields":{"address":"198.18.0.5","address":"198.18.0.6"}}}""", "usage", "duplicate" },
        { """{"v":1,"cmd":"config.get","args":{"path":"system.hostname","path":"ipv4.address"}}""", "usage", "duplicate" },
        { """{"v":1,"cmd":"config.set","args":{"path":"system.hostname","values":["bad\ud800name"]}}""", "usage", "surrogate" },
        { """{"v":1,"cmd":"config.get","args":{"path":"\udfff"}}""", "usage", "surrogate" },
        { """{"v":1,"cmd":"log.read","args":{"log":"events","limit":-1}}""", "usage", "limit" },
        { """{"v":1,"cmd":"log.read","args":{"log":"events","limit":"ten"}}""", "usage", "limit" },
        { """{"v":1,"cmd":"config.add","args":{"section":"cluster","name":"x"}}""", "usage", "not a collection" },
        { """{"v":1,"cmd":"backup.create","args":{"dir":"/proc"}}""", "usage", "dir" },
        { """{"v":1,"cmd":"config.get","args":{"path":17}}""", "usage", "path" },
        { """{"v":1,"cmd":"status","args":[]}""", "usage", "args" },
        { """{"v":1,"cmd":"status","channel":"../../etc"}""", "usage", "channel" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_bad_request_gets_its_error_kind_and_the_connection_stays_usable(string line, string kind, string mentions)
    {
        await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
        await c.SendLineAsync(line, T);
        var reply = await c.ReadReplyAsync(T);

        Assert.NotNull(reply);
        Assert.False((bool)reply["ok"]!, reply.ToJsonString());
        Assert.Equal(kind, (string?)reply["error"]!["kind"]);
        Assert.Contains(mentions, (string)reply["error"]!["message"]!, StringComparison.OrdinalIgnoreCase);
        var status = await c.RequestAsync("status", null, T);
        Assert.True((bool)status["ok"]!, status.ToJsonString());
        var events = (await _d.Daemon.Api("log.read", new JsonObject { ["log"] = "events" })).ToJsonString();
        Assert.DoesNotContain("failed: System.", events);
        Assert.Equal("standalone", (string?)(await _d.Daemon.Api("status"))["cluster"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_empty_cluster_key_is_refused_and_the_cluster_stays()
    {
        await _d.Daemon.Api("cluster.setKey", new JsonObject { ["key"] = "a long cluster key for this test" });
        await _d.Daemon.Api("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(_d.Daemon.Bind) });
        var before = await _d.Daemon.Api("cluster.show");

        foreach (var empty in new[] { "", "   " })
        {
            var reply = await _d.Daemon.ApiReply("cluster.setKey", new JsonObject { ["key"] = empty });
            Assert.False((bool)reply["ok"]!, reply.ToJsonString());
            Assert.Equal("validation", (string?)reply["error"]!["kind"]);
            Assert.Contains("cluster leave", (string)reply["error"]!["message"]!);
        }

        var after = await _d.Daemon.Api("cluster.show");
        Assert.Equal("set", (string?)after["key"]);
        Assert.Equal(before["clusterId"]!.ToString(), after["clusterId"]!.ToString());
    }
}
