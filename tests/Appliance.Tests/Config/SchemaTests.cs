using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class SchemaTests
{
    [Fact]
    public void Fresh_appliance_defaults_are_sensible()
    {
        Assert.Equal("appliance", Text(ConfigOps.Defaults("system"), "hostname"));
        Assert.Equal("auto", Text(ConfigOps.Defaults("ethernet"), "speed"));
        Assert.Equal("UTC", Text(ConfigOps.Defaults("time"), "zone"));
        Assert.True(ConfigOps.Defaults("ssh")["enabled"]!.GetValue<bool>());
        Assert.True(ConfigOps.Defaults("lcd")["enabled"]!.GetValue<bool>());
        Assert.False(ConfigOps.Defaults("snmp")["enabled"]!.GetValue<bool>());
        Assert.Equal("admin", Text(ConfigOps.Defaults("admin"), "user"));
        Assert.Null(ConfigOps.Defaults("admin")["password"]);
        Assert.Equal("[]", ConfigOps.Defaults("dns")["servers"]!.ToJsonString());
    }

    [Fact]
    public void Every_plain_section_default_passes_its_own_validation()
    {
        foreach (var section in ConfigSchema.All.Where(s => !s.IsCollection))
            ConfigOps.Validate(section.Name, section.Defaults());
    }

    [Fact]
    public void Scopes_follow_R6()
    {
        string[] peer = ["system", "ethernet", "ipv4", "dns", "ntp", "time", "snmp", "syslog", "ssh", "lcd", "certificates", "location-addresses"];
        string[] shared = ["admin", "bridges", "locations", "firewall", "templates", "conferences"];
        Assert.All(peer, n => Assert.Equal(ConfigScope.Peer, ConfigSchema.Get(n).Scope));
        Assert.All(shared, n => Assert.Equal(ConfigScope.Cluster, ConfigSchema.Get(n).Scope));
        Assert.Equal(ConfigScope.Local, ConfigSchema.Get("cluster").Scope);
        Assert.Equal(ConfigScope.Local, ConfigSchema.Get("root").Scope);
    }

    [Fact]
    public void Unknown_section_lists_the_valid_ones()
    {
        var error = Refused(() => ConfigOps.Set("ipv6", null, "address", ["x"]), "section");
        Assert.Equal("ipv6", error.Value);
        Assert.Contains("ipv4", error.Rule);
        Assert.Contains("firewall", error.Rule);
        Assert.False(ConfigSchema.TryGet("ipv6", out _));
    }

    [Fact]
    public void Unknown_field_lists_the_valid_ones()
    {
        var error = Refused(() => ConfigOps.Set("ipv4", null, "adress", ["198.18.0.10"]), "ipv4.adress");
        Assert.Contains("address, mask, gateway, additional", error.Rule);
    }

    [Fact]
    public void Operations_never_mutate_their_input()
    {
        var current = ConfigOps.Set("dns", null, "servers", ["198.18.0.53"]).Value;
        var before = current.ToJsonString();
        ConfigOps.Set("dns", current, "servers", ["198.18.0.53", "198.18.0.54"]);
        ConfigOps.Unset("dns", current, "servers");
        Assert.Equal(before, current.ToJsonString());
    }

    [Fact]
    public void Unset_returns_a_field_to_its_default()
    {
        var current = ConfigOps.Set("system", null, "hostname", ["conductor-a"]).Value;
        Assert.Equal("appliance", Text(ConfigOps.Unset("system", current, "hostname").Value, "hostname"));
        var bridge = ConfigOps.CreateItem("bridges", "b1", Fields("address=198.18.2.10;port=8443")).Value;
        Assert.Null(ConfigOps.Unset("bridges", bridge, "port").Value["port"]);
        Refused(() => ConfigOps.Unset("bridges", bridge, "address"), "bridges.b1.address");
    }

    [Theory]
    [InlineData("ipv4", "ipv4", null, null)]
    [InlineData("ipv4.gateway", "ipv4", null, "gateway")]
    [InlineData("bridges", "bridges", null, null)]
    [InlineData("bridges.b1", "bridges", "b1", null)]
    [InlineData("bridges.b1.port", "bridges", "b1", "port")]
    [InlineData("bridges.eu.1", "bridges", "eu.1", null)]
    [InlineData("bridges.eu.1.address", "bridges", "eu.1", "address")]
    [InlineData("location-addresses.oslo.adhoc", "location-addresses", "oslo", "adhoc")]
    public void Paths_parse(string path, string section, string? item, string? field)
    {
        var p = ConfigPath.Parse(path);
        Assert.Equal((section, item, field), (p.Section.Name, p.Item, p.Field));
        Assert.Equal(path, p.ToString());
    }

    [Theory]
    [InlineData("nosuch.field", "section")]
    [InlineData("ipv4.nosuch", "ipv4.nosuch")]
    [InlineData("bridges.bad name", "bridges")]
    public void Bad_paths_are_refused(string path, string field)
    {
        Refused(() => ConfigPath.Parse(path), field);
    }

    [Fact]
    public void Validate_refuses_stored_values_of_the_wrong_shape()
    {
        Refused(() => ConfigOps.Validate("dns", new JsonObject { ["servers"] = "198.18.0.53" }), "dns.servers");
        Refused(() => ConfigOps.Validate("ssh", new JsonObject { ["enabled"] = "yes" }), "ssh.enabled");
        Refused(() => ConfigOps.Validate("admin", new JsonObject { ["password"] = "plaintext" }), "admin.password");
        Refused(() => ConfigOps.Validate("ssh", new JsonObject { ["enabled"] = true, ["extra"] = 1 }), "ssh.extra");
        Refused(() => ConfigOps.Validate("bridges", new JsonObject { ["address"] = "198.18.2.10" }), "bridges.name");
    }

    [Fact]
    public void Describe_lists_every_section_with_scope_and_fields()
    {
        var sections = ConfigSchema.Describe()["sections"]!.AsArray();
        Assert.Equal(ConfigSchema.All.Count, sections.Count);
        var ipv4 = sections.Single(s => s!["name"]!.ToString() == "ipv4")!;
        Assert.Equal("peer", ipv4["scope"]!.ToString());
        Assert.Equal("[\"address\",\"mask\",\"gateway\",\"additional\"]", ipv4["fields"]!.ToJsonString());
    }

    [Fact]
    public void Describe_names_the_secret_fields_the_cli_must_never_take_from_its_command_line()
    {
        var secrets = ConfigSchema.Describe()["sections"]!.AsArray()
            .SelectMany(s => s!["secrets"]!.AsArray().Select(f => $"{s["name"]}.{f}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["admin.password", "bridges.password", "cluster.key", "root.password", "snmp.community"], secrets);
    }

    [Fact]
    public void Error_json_has_the_protocol_shape()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => ConfigOps.Set("ethernet", null, "speed", ["fast"]));
        var json = ex.Error.ToJson();
        Assert.Equal("validation", json["kind"]!.ToString());
        Assert.Equal("ethernet.speed", json["field"]!.ToString());
        Assert.Equal("fast", json["value"]!.ToString());
        Assert.StartsWith("is not one of: auto, 10half", json["rule"]!.ToString());
        Assert.Equal(ex.Message, json["message"]!.ToString());
    }
}
