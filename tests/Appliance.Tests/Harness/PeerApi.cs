using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Harness;

/// <summary>
/// The local API of one peer (daemon/Applianced/Api/PROTOCOL.md) through a
/// <see cref="RawApiConnection"/>. The socket lives on the shared file system, so the test reaches a
/// daemon inside a namespace without entering it. A connection per call keeps it usable across restarts.
/// </summary>
public sealed class PeerApi(string socketPath)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public string SocketPath { get; } = socketPath;

    /// <summary>Returns the result object; an `ok:false` answer throws <see cref="PeerApiException"/> with the daemon's error.</summary>
    public async Task<JsonNode> CallAsync(string cmd, JsonObject? args = null)
    {
        await using var connection = await RawApiConnection.ConnectAsync(SocketPath, CallTimeout).ConfigureAwait(false);
        await connection.SendLineAsync(RawApiConnection.RequestLine(cmd, args, "harness"), CallTimeout).ConfigureAwait(false);
        var response = await connection.ReadReplyAsync(CallTimeout).ConfigureAwait(false)
            ?? throw new PeerApiException(cmd, "closed", $"{SocketPath} closed the connection without answering");
        if (response["ok"]?.GetValue<bool>() == true) return response["result"] ?? new JsonObject();
        var error = response["error"];
        throw new PeerApiException(cmd, error?["kind"]?.GetValue<string>() ?? "?", error?.ToJsonString() ?? response.ToJsonString());
    }

    /// <summary>Sets a field and keeps it (a network setting is confirmed: NetworkWindow).</summary>
    public async Task<JsonNode> SetAsync(string path, params string[] values)
    {
        var result = await CallAsync("config.set", new JsonObject { ["path"] = path, ["values"] = new JsonArray(values.Select(v => (JsonNode)v!).ToArray()) }).ConfigureAwait(false);
        if (result["confirmBy"] is not null) await CallAsync("config.confirm", new JsonObject()).ConfigureAwait(false);
        return result;
    }

    public Task<JsonNode> AddAsync(string section, string name, IDictionary<string, string> fields) =>
        CallAsync("config.add", new JsonObject
        {
            ["section"] = section,
            ["name"] = name,
            ["fields"] = new JsonObject(fields.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        });

    public Task<JsonNode> SetKeyAsync(string key) => CallAsync("cluster.setKey", new JsonObject { ["key"] = key });

    /// <summary>Sets the peer list, giving the peer a release key first (R14: Essentials cannot cluster).</summary>
    public async Task<JsonNode> SetPeersAsync(params string[] addresses)
    {
        await Support.TestLicences.InstallFullAsync((c, a) => CallAsync(c, a)).ConfigureAwait(false);
        return await CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(addresses.Select(a => (JsonNode)a!).ToArray()) }).ConfigureAwait(false);
    }

    public Task<JsonNode> ShowAsync(string section) => CallAsync("config.show", new JsonObject { ["section"] = section });

    /// <summary>`cluster show`: address -> status line.</summary>
    public async Task<IReadOnlyDictionary<string, string>> PeerStatusAsync()
    {
        var result = await CallAsync("cluster.show").ConfigureAwait(false);
        return result["peers"]!.AsArray().ToDictionary(p => p!["address"]!.GetValue<string>(), p => p!["status"]!.GetValue<string>());
    }

    /// <summary>Ids of the alarms currently raised.</summary>
    public async Task<IReadOnlyList<string>> ActiveAlarmsAsync()
    {
        var result = await CallAsync("alarms").ConfigureAwait(false);
        return result["alarms"]!.AsArray()
            // "lowered" is null while the alarm is up (PROTOCOL.md: alarms).
            .Where(a => a!["lowered"] is null)
            .Select(a => a!["id"]!.GetValue<string>()).ToList();
    }
}

public sealed class PeerApiException(string cmd, string kind, string detail) : Exception($"{cmd}: {kind}: {detail}")
{
    public string Kind { get; } = kind;
}
