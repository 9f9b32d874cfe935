using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>Short forms of the API calls the process tests make over and over.</summary>
public static class DaemonApi
{
    /// <summary>Sets a field and keeps it: a network setting changed over the API waits for
    /// `config confirm` (NetworkWindow) and is confirmed here, as a test that sets one means to keep it.</summary>
    public static async Task<JsonNode> Set(this DaemonProcess d, string path, params string[] values)
    {
        var result = await d.Api("config.set", new JsonObject { ["path"] = path, ["values"] = Strings(values) });
        if (result["confirmBy"] is not null) await d.Api("config.confirm");
        return result;
    }

    public static Task<JsonNode> Add(this DaemonProcess d, string section, string name, params (string Key, string Value)[] fields)
    {
        var f = new JsonObject();
        foreach (var (k, v) in fields) f[k] = v;
        return d.Api("config.add", new JsonObject { ["section"] = section, ["name"] = name, ["fields"] = f });
    }

    public static Task<JsonNode> Remove(this DaemonProcess d, string section, string name) =>
        d.Api("config.remove", new JsonObject { ["section"] = section, ["name"] = name });

    public static Task<JsonNode> SetKey(this DaemonProcess d, string key) =>
        d.Api("cluster.setKey", new JsonObject { ["key"] = key });

    /// <summary>Sets the peer list, after giving the peer a Full release key (R14: Essentials cannot cluster).</summary>
    public static async Task<JsonNode> SetPeers(this DaemonProcess d, params string[] addresses)
    {
        await TestLicences.InstallFullAsync((c, a) => d.Api(c, a));
        return await d.Api("cluster.setPeers", new JsonObject { ["addresses"] = Strings(addresses) });
    }

    /// <summary>Adds a conference with the fields the schema requires, on bridge b1 and template t1 (added first where missing: a conference names existing ones).</summary>
    public static async Task<JsonNode> AddConference(this DaemonProcess d, string name, int participants = 1)
    {
        await d.AddIfMissing("bridges", "b1", ("address", "198.18.2.10"));
        await d.AddIfMissing("templates", "t1");
        return await d.Add("conferences", name, ("bridge", "b1"), ("template", "t1"),
            ("participants", participants.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("started", "2026-01-01T10:00:00Z"));
    }

    /// <summary>Adds an item unless this peer holds one of that name already (one call either way).</summary>
    public static async Task AddIfMissing(this DaemonProcess d, string section, string name, params (string Key, string Value)[] fields)
    {
        try { await d.Add(section, name, fields); }
        catch (DaemonApiException e) when (e.Kind == "conflict") { }
    }

    /// <summary>The items of a collection section, by name.</summary>
    public static async Task<Dictionary<string, JsonObject>> Items(this DaemonProcess d, string section)
    {
        var shown = await d.Api("config.show", new JsonObject { ["section"] = section });
        return shown["sections"]![0]!["items"]!.AsArray().Select(i => i!.AsObject())
            .ToDictionary(i => (string)i["name"]!, i => i);
    }

    /// <summary>The values of a single-valued section (optionally another peer's).</summary>
    public static async Task<JsonObject> Values(this DaemonProcess d, string section, string? peer = null)
    {
        var args = new JsonObject { ["section"] = section };
        if (peer is not null) args["peer"] = peer;
        var shown = await d.Api("config.show", args);
        return shown["sections"]![0]!["values"]!.AsObject();
    }

    /// <summary>The whole configuration as shown (for "nothing changed" comparisons).</summary>
    public static async Task<string> ShowAll(this DaemonProcess d) => (await d.Api("config.show")).ToJsonString();

    public static async Task<string> ClusterId(this DaemonProcess d) => (string?)(await d.Api("cluster.show"))["clusterId"] ?? "";

    /// <summary>The status line this daemon shows for the peer at <paramref name="address"/>.</summary>
    public static async Task<string> PeerStatus(this DaemonProcess d, string address)
    {
        var shown = await d.Api("cluster.show");
        return shown["peers"]!.AsArray().Select(p => p!.AsObject())
            .Where(p => (string?)p["address"] == address).Select(p => (string?)p["status"]).FirstOrDefault() ?? "(not listed)";
    }

    public static async Task<IReadOnlyList<JsonObject>> Alarms(this DaemonProcess d) =>
        (await d.Api("alarms"))["alarms"]!.AsArray().Select(a => a!.AsObject()).ToList();

    /// <summary>Ids of the alarms raised and not lowered.</summary>
    public static async Task<IReadOnlyList<string>> ActiveAlarmIds(this DaemonProcess d) =>
        (await d.Alarms()).Where(a => a["lowered"] is null).Select(a => (string)a["id"]!).ToList();

    /// <summary>The raised alarms of the rules between records (CrossRecordAlarms: "rule:RECORD").</summary>
    public static async Task<List<JsonObject>> RuleAlarms(this DaemonProcess d) =>
        (await d.Alarms()).Where(a => ((string)a["id"]!).StartsWith("rule:", StringComparison.Ordinal) && string.IsNullOrEmpty((string?)a["lowered"])).ToList();

    public static async Task<IReadOnlyList<JsonObject>> LogEntries(this DaemonProcess d, string log) =>
        (await d.Api("log.read", new JsonObject { ["log"] = log, ["limit"] = 100000 }))["entries"]!.AsArray().Select(e => e!.AsObject()).ToList();

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
