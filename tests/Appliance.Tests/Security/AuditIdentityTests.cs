using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Security;

/// <summary>
/// Issue 16, point 11: the configuration log names the operating-system user of the process that
/// asked (read from the socket with SO_PEERCRED), never the user a client claims. A claim is kept,
/// as "on behalf of", only from root on a channel that logs its own users in (web).
/// </summary>
public sealed class AuditIdentityTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(15);
    private readonly StandaloneDaemon _d = new();

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task The_log_names_the_connecting_user_not_the_claimed_one()
    {
        await SetAsClaimedAsync("cli", "mallory", "claimed-by-cli");

        var entry = await LastChangeAsync();
        Assert.Equal(Environment.UserName, (string?)entry["user"]);
        Assert.Null(entry["onBehalfOf"]);
        Assert.DoesNotContain("mallory", (await ReadLogAsync()).ToJsonString());
        var events = (await _d.Daemon.Api("log.read", new JsonObject { ["log"] = "events" })).ToJsonString();
        Assert.DoesNotContain("mallory", events);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_web_claim_from_root_is_kept_as_on_behalf_of()
    {
        await SetAsClaimedAsync("web", "alice", "claimed-by-web");

        var entry = await LastChangeAsync();
        Assert.Equal(Environment.UserName, (string?)entry["user"]);
        Assert.Equal("web", (string?)entry["channel"]);
        if (Environment.UserName == "root")
            Assert.Equal("alice", (string?)entry["onBehalfOf"]);
        else
            Assert.Null(entry["onBehalfOf"]); // only root may speak for a user it logged in
    }

    private async Task SetAsClaimedAsync(string channel, string user, string hostname)
    {
        await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
        var line = new JsonObject
        {
            ["v"] = 1,
            ["cmd"] = "config.set",
            ["args"] = new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray(hostname) },
            ["user"] = user,
            ["channel"] = channel,
        }.ToJsonString();
        await c.SendLineAsync(line, T);
        var reply = await c.ReadReplyAsync(T);
        Assert.True((bool)reply!["ok"]!, reply.ToJsonString());
    }

    private async Task<JsonArray> ReadLogAsync() =>
        (await _d.Daemon.Api("log.read", new JsonObject { ["log"] = "config" }))["entries"]!.AsArray();

    private async Task<JsonObject> LastChangeAsync() => (await ReadLogAsync()).Last(e => (string?)e!["field"] == "system.hostname")!.AsObject();
}
