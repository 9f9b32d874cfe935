using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Logs;
using Appliance.Tests.Support;

namespace Appliance.Tests.Fuzz;

/// <summary>
/// Request lines the api fuzz target (tools/fuzz, target "api") showed break the parser, replayed
/// through a real ApiServer on a Unix socket: each gets a usage error and the connection stays usable.
/// </summary>
public sealed class ApiRequestFuzzTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private ApiServer _server = null!;

    public Task InitializeAsync()
    {
        // "walk" reads every name and value of its arguments, as a handler reading nested fields does.
        var router = new ApiRouter().Add("walk", r => new JsonObject { ["values"] = Walk(r.Args) });
        _server = new ApiServer(router, new JsonLinesLog("events", _dir["logs"], 1 << 20));
        _server.Start(_dir["api.sock"]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private static int Walk(JsonNode? node) => node switch
    {
        JsonObject o => o.Sum(kv => 1 + Walk(kv.Value)),
        JsonArray a => a.Sum(Walk),
        JsonValue v => v.ToString().Length >= 0 ? 1 : 0,
        _ => 0,
    };

    [Theory]
    [InlineData("{\"\\ud800cmd\":\"st\"}")] // the fuzzer's find: a lone surrogate escape in a key closed the connection unanswered
    [InlineData("{\"cmd\":\"walk\",\"cmd\":\"walk\"}")] // a duplicate key closed it the same way
    [InlineData("{\"cmd\":\"walk\",\"args\":{\"x\":{\"y\":1,\"y\":2}}}")] // a nested duplicate reached the handler: "internal"
    [InlineData("{\"cmd\":\"walk\",\"args\":{\"x\":[\"\\udc00\"]}}")] // a lone surrogate in a value reached it too
    public async Task A_request_that_is_not_valid_JSON_text_gets_a_usage_error_and_the_connection_stays_usable(string line)
    {
        await using var c = await RawApiConnection.ConnectAsync(_dir["api.sock"], T);
        await c.SendLineAsync(line, T);
        var reply = await c.ReadReplyAsync(T);

        Assert.True(reply is not null, "the server closed the connection without a reply");
        Assert.False((bool)reply["ok"]!, reply.ToJsonString());
        Assert.Equal("usage", (string?)reply["error"]!["kind"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)reply["error"]!["message"]), reply.ToJsonString());
        var next = await c.RequestAsync("walk", new JsonObject { ["a"] = new JsonArray("b", 1) }, T);
        Assert.True((bool)next["ok"]!, next.ToJsonString());
    }
}
