using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>
/// The API's progress events (PROTOCOL.md, "Progress") on a real daemon: a request that sends
/// "progress": true gets {"progress":{...}} lines before its usual answer; one that does not gets
/// the answer alone, as before.
/// </summary>
public class ApiProgressTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task OnlyARequestThatAsksGetsProgressEvents_BeforeItsUsualAnswer()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        await using var connection = await RawApiConnection.ConnectAsync(d.Daemon.SocketPath, T);

        var plain = await connection.RequestAsync("backup.create", null, T);
        Assert.True((bool)plain["ok"]!, plain.ToJsonString());
        Assert.NotNull(plain["result"]!["name"]);

        var request = JsonNode.Parse(RawApiConnection.RequestLine("backup.create", null))!.AsObject();
        request["progress"] = true;
        await connection.SendLineAsync(request.ToJsonString(), T);
        var events = new List<JsonObject>();
        JsonObject answer;
        while ((answer = await connection.ReadReplyAsync(T) ?? throw new IOException("the daemon closed the connection"))["progress"] is JsonObject e)
            events.Add(e);
        Assert.True((bool)answer["ok"]!, answer.ToJsonString());
        Assert.NotNull(answer["result"]!["name"]);
        Assert.Contains(events, e => (string)e["phase"]! == "compressing" && (int?)e["percent"] == 100);
        Assert.All(events, e => Assert.Equal(["phase", "unit", "done", "total", "percent", "rate", "time"], e.Select(p => p.Key)));

        // The same connection answers the next request as before, and a wrong flag is named.
        request["progress"] = "yes";
        await connection.SendLineAsync(request.ToJsonString(), T);
        var wrong = await connection.ReadReplyAsync(T);
        Assert.Equal("usage", (string)wrong!["error"]!["kind"]!);
        Assert.Contains("'progress' must be true or false", (string)wrong["error"]!["message"]!, StringComparison.Ordinal);
        var status = await connection.RequestAsync("status", null, T);
        Assert.True((bool)status["ok"]!);
    }
}
