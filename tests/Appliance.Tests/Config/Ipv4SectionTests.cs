using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class Ipv4SectionTests
{
    private static ConfigResult Lan(string address, string mask, string? gateway = null, string additional = "")
    {
        var fields = new Dictionary<string, IReadOnlyList<string>>
        {
            ["address"] = [address],
            ["mask"] = [mask],
            ["additional"] = Words(additional),
        };
        if (gateway is not null)
            fields["gateway"] = [gateway];
        return ConfigOps.SetFields("ipv4", null, fields);
    }

    [Theory]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.0.1", "")]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.0.254", "198.18.0.11 198.18.5.5")]
    [InlineData("198.18.1.10", "255.255.254.0", "198.18.0.1", "")]
    [InlineData("198.18.0.0", "255.255.255.254", "198.18.0.1", "")]
    [InlineData("127.0.0.2", "255.0.0.0", "127.0.0.1", "")]
    public void Good_lan_settings_are_accepted(string address, string mask, string gateway, string additional)
    {
        var value = Lan(address, mask, gateway, additional).Value;
        Assert.Equal(gateway, Text(value, "gateway"));
    }

    [Theory]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.1.1", "", "ipv4.gateway", "is not inside 198.18.0.10/255.255.255.0")]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.0.0", "", "ipv4.gateway", "is the network address of 198.18.0.10/255.255.255.0")]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.0.255", "", "ipv4.gateway", "is the broadcast address of 198.18.0.10/255.255.255.0")]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.0.10", "", "ipv4.gateway", "is ipv4.address itself")]
    [InlineData("198.18.0.0", "255.255.255.0", "198.18.0.1", "", "ipv4.address", "is the network address of 198.18.0.0/255.255.255.0")]
    [InlineData("198.18.0.255", "255.255.255.0", "198.18.0.1", "", "ipv4.address", "is the broadcast address of 198.18.0.255/255.255.255.0")]
    [InlineData("198.18.0.10", "255.255.255.0", "198.18.0.1", "198.18.0.10", "ipv4.additional", "is ipv4.address itself")]
    public void Bad_lan_settings_are_refused(string address, string mask, string gateway, string additional,
        string field, string rule)
    {
        var error = Refused(() => Lan(address, mask, gateway, additional), field);
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void Gateway_error_names_field_value_and_rule()
    {
        var ex = Assert.Throws<ConfigValidationException>(() => Lan("198.18.0.10", "255.255.255.0", "198.18.1.1"));
        Assert.Equal("ipv4.gateway: \"198.18.1.1\" is not inside 198.18.0.10/255.255.255.0", ex.Message);
        Assert.Equal("198.18.1.1", ex.Error.Value);
    }

    [Fact]
    public void Gateway_without_address_and_mask_is_refused()
    {
        Refused(() => ConfigOps.Set("ipv4", null, "gateway", ["198.18.0.1"]), "ipv4.gateway");
    }

    [Fact]
    public void Changing_the_address_alone_into_another_subnet_is_refused_but_together_it_is_accepted()
    {
        var current = Lan("198.18.0.10", "24", "198.18.0.1").Value;
        Refused(() => ConfigOps.Set("ipv4", current, "address", ["198.19.0.10"]), "ipv4.gateway");
        var moved = ConfigOps.SetFields("ipv4", current, new Dictionary<string, IReadOnlyList<string>>
        {
            ["address"] = ["198.19.0.10"],
            ["gateway"] = ["198.19.0.1"],
        }).Value;
        Assert.Equal("198.19.0.10", Text(moved, "address"));
    }

    [Fact]
    public void Too_many_additional_addresses_are_refused()
    {
        var seventeen = string.Join(' ', Enumerable.Range(1, 17).Select(i => $"198.18.3.{i}"));
        var error = Refused(() => ConfigOps.Set("ipv4", null, "additional", Words(seventeen)), "ipv4.additional");
        Assert.Contains("at most 16", error.Rule);
    }
}
