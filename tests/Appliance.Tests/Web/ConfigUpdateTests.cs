using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>
/// config.update, which the pages' edit forms use: several fields of an item validated as one value
/// and stored in one commit, or nothing stored (a form must not leave an item half changed).
/// </summary>
public sealed class ConfigUpdateTests : IAsyncLifetime
{
    private readonly StandaloneDaemon _d = new();

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Fields_change_together_or_not_at_all()
    {
        var d = _d.Daemon;
        await d.Api("config.add", new JsonObject { ["section"] = "bridges", ["name"] = "b1", ["fields"] = new JsonObject { ["address"] = "127.0.0.1", ["port"] = "8443" } });

        var refused = await d.ApiReply("config.update", Update("b1", ("address", ["127.0.0.2"]), ("port", ["99999"])));
        Assert.False((bool)refused["ok"]!);
        Assert.Equal("validation", (string?)refused["error"]!["kind"]);
        Assert.Equal("bridges.b1.port", (string?)refused["error"]!["field"]);
        var kept = (await d.Api("config.get", new JsonObject { ["path"] = "bridges.b1" }))["value"]!;
        Assert.Equal("127.0.0.1", (string?)kept["address"]); // the valid field of the refused form was not stored either

        await d.Api("config.update", Update("b1", ("address", ["127.0.0.2"]), ("port", [])));
        var changed = (await d.Api("config.get", new JsonObject { ["path"] = "bridges.b1" }))["value"]!;
        Assert.Equal("127.0.0.2", (string?)changed["address"]);
        Assert.Null(changed["port"]); // [] is the default: none, 443 for https

        // The network fields keep their confirm window: only config.set changes them.
        var network = await d.ApiReply("config.update", new JsonObject { ["section"] = "ipv4", ["fields"] = new JsonObject { ["address"] = new JsonArray("198.18.0.9") } });
        Assert.Equal("usage", (string?)network["error"]!["kind"]);
        Assert.Contains("config.set", (string?)network["error"]!["message"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Appliancectl_config_update_changes_fields_together_or_not_at_all()
    {
        var d = _d.Daemon;
        await d.Api("config.add", new JsonObject { ["section"] = "bridges", ["name"] = "b2", ["fields"] = new JsonObject { ["address"] = "127.0.0.1", ["port"] = "8443" } });

        var done = await Ctl.CtlProcess.RunAsync(d.SocketPath, "--json", "config", "update", "bridges", "b2", "address=127.0.0.4", "port=8445");
        Assert.True(done.Code == 0, done.Err);
        Assert.Equal("bridges.b2", (string?)JsonNode.Parse(done.Out)!["path"]);
        var b2 = (await d.Api("config.get", new JsonObject { ["path"] = "bridges.b2" }))["value"]!;
        Assert.Equal(("127.0.0.4", "8445"), ((string?)b2["address"], b2["port"]!.ToString()));

        // Refused whole (exit 2, the field named), nothing stored.
        var refused = await Ctl.CtlProcess.RunAsync(d.SocketPath, "config", "update", "bridges", "b2", "address=127.0.0.5", "port=99999");
        Assert.Equal(2, refused.Code);
        Assert.Contains("99999", refused.Err);
        Assert.Equal("127.0.0.4", (string?)(await d.Api("config.get", new JsonObject { ["path"] = "bridges.b2" }))["value"]!["address"]);

        // A plain section takes no NAME; a list is comma-separated; an empty value is the default.
        var plain = await Ctl.CtlProcess.RunAsync(d.SocketPath, "config", "update", "ntp", "servers=ntp1.example.org,ntp2.example.org");
        Assert.True(plain.Code == 0, plain.Err);
        Assert.Equal("[\"ntp1.example.org\",\"ntp2.example.org\"]", (await d.Api("config.get", new JsonObject { ["path"] = "ntp.servers" }))["value"]!.ToJsonString());
        var snmp = await Ctl.CtlProcess.RunAsync(d.SocketPath, "config", "update", "snmp", "contact=noc@example.org", "location=");
        Assert.True(snmp.Code == 0, snmp.Err);
        Assert.Equal("noc@example.org", (string?)(await d.Api("config.get", new JsonObject { ["path"] = "snmp.contact" }))["value"]);

        // A collection needs its item; no field is a usage error (exit 1).
        Assert.Equal(1, (await Ctl.CtlProcess.RunAsync(d.SocketPath, "config", "update", "bridges", "port=1")).Code);
        Assert.Equal(1, (await Ctl.CtlProcess.RunAsync(d.SocketPath, "config", "update", "bridges", "b2")).Code);
    }

    private static JsonObject Update(string name, params (string Field, string[] Values)[] fields)
    {
        var f = new JsonObject();
        foreach (var (field, values) in fields) f[field] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
        return new JsonObject { ["section"] = "bridges", ["name"] = name, ["fields"] = f };
    }
}
