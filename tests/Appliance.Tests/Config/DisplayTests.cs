using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class DisplayTests
{
    private const string Secret = "Sup3r-s3cret-value";

    public static TheoryData<string, JsonObject> SecretHolders() => new()
    {
        { "admin", ConfigOps.Set("admin", null, "password", [Secret]).Value },
        { "root", ConfigOps.Set("root", null, "password", [Secret]).Value },
        { "cluster", ConfigOps.Set("cluster", null, "key", [Secret]).Value },
        { "snmp", ConfigOps.Set("snmp", null, "community", [Secret]).Value },
        { "bridges", ConfigOps.CreateItem("bridges", "b1", Fields($"address=198.18.2.10;user=ops;password={Secret}")).Value },
    };

    [Theory]
    [MemberData(nameof(SecretHolders))]
    public void Secrets_never_appear_in_display_output(string section, JsonObject stored)
    {
        var shown = ConfigDisplay.Display(section, stored).ToJsonString();
        Assert.DoesNotContain(Secret, shown);
        Assert.DoesNotContain("pbkdf2", shown);
        Assert.Contains("\"set\"", shown);
        foreach (var f in ConfigSchema.Get(section).Fields.Where(f => f.IsSecret))
            Assert.Equal("set", ConfigDisplay.DisplayField(section, stored, f.Name)!.ToString());
    }

    [Fact]
    public void Unset_secrets_show_not_set()
    {
        Assert.Equal("not set", ConfigDisplay.Display("admin", null)["password"]!.ToString());
        Assert.Equal("not set", ConfigDisplay.Display("cluster", ConfigOps.Defaults("cluster"))["key"]!.ToString());
    }

    [Fact]
    public void Bridge_password_is_stored_as_given_for_use_against_the_bridge()
    {
        var bridge = ConfigOps.CreateItem("bridges", "b1", Fields($"address=198.18.2.10;password={Secret}")).Value;
        Assert.Equal(Secret, Text(bridge, "password"));
        Assert.Equal("ops", Text(ConfigDisplay.Display("bridges",
            ConfigOps.Set("bridges", bridge, "user", ["ops"]).Value), "user"));
    }

    [Fact]
    public void Errors_about_secrets_do_not_echo_them()
    {
        var ex = Assert.Throws<ConfigValidationException>(() =>
            ConfigOps.Set("admin", null, "password", [Secret, "extra"]));
        Assert.DoesNotContain(Secret, ex.Message);
    }

    [Fact]
    public void Display_of_plain_values_shows_every_field()
    {
        var shown = ConfigDisplay.Display("ipv4", ConfigOps.Set("ipv4", null, "address", ["198.18.0.10"]).Value);
        Assert.Equal(["address", "mask", "gateway", "additional"], shown.Select(p => p.Key));
        Assert.Equal("198.18.0.10", Text(shown, "address"));
    }
}
