using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

public class CrossPeerRulesTests
{
    private static PeerView Peer(int index, string address, string additional, JsonObject? oslo = null) => new(
        index, $"Peer {index}", $"conductor-{index}",
        ConfigOps.SetFields("ipv4", null, new Dictionary<string, IReadOnlyList<string>>
        {
            ["address"] = [address],
            ["mask"] = ["24"],
            ["additional"] = Words(additional),
        }).Value,
        oslo is null ? null : new Dictionary<string, JsonObject> { ["oslo"] = oslo });

    private static readonly ConfigContext Others = new()
    {
        OtherPeers =
        [
            Peer(2, "198.18.0.20", "198.18.0.12 198.18.0.22",
                ConfigOps.CreateItem("location-addresses", "oslo", Fields("adhoc=198.18.1.20;rendezvous=198.18.1.21")).Value),
            Peer(3, "198.18.0.30", ""),
        ],
    };

    [Theory]
    [InlineData("198.18.0.10", "198.18.0.11", null, null)]
    [InlineData("198.18.0.20", "", "ipv4.address", "is already peer 2's address")]
    [InlineData("198.18.0.12", "", "ipv4.address", "is already peer 2's additional address")]
    [InlineData("198.18.0.10", "198.18.0.11 198.18.0.12", "ipv4.additional", "is already peer 2's additional address")]
    [InlineData("198.18.0.10", "198.18.0.30", "ipv4.additional", "is already peer 3's address")]
    public void Ipv4_addresses_must_differ_across_peers(string address, string additional, string? field, string? rule)
    {
        ConfigResult Act() => ConfigOps.SetFields("ipv4", null, new Dictionary<string, IReadOnlyList<string>>
        {
            ["address"] = [address],
            ["mask"] = ["24"],
            ["additional"] = Words(additional),
        }, Others);
        if (field is null)
        {
            Act();
            return;
        }
        var error = Refused(() => Act(), field);
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void Error_names_the_peer_and_the_address()
    {
        var ex = Assert.Throws<ConfigValidationException>(() =>
            ConfigOps.Set("ipv4", null, "additional", ["198.18.0.12"], Others));
        Assert.Equal("ipv4.additional: \"198.18.0.12\" is already peer 2's additional address", ex.Message);
    }

    [Theory]
    [InlineData("adhoc=198.18.1.10;rendezvous=198.18.1.11", null)]
    [InlineData("adhoc=198.18.1.20", "location-addresses.oslo.adhoc")]
    [InlineData("rendezvous=198.18.1.20", "location-addresses.oslo.rendezvous")]
    [InlineData("adhoc=198.18.1.10;rendezvous=198.18.1.21", "location-addresses.oslo.rendezvous")]
    [InlineData("adhoc=198.18.0.30", "location-addresses.oslo.adhoc")]
    public void Location_addresses_must_differ_across_peers(string fields, string? field)
    {
        ConfigResult Act() => ConfigOps.CreateItem("location-addresses", "oslo", Fields(fields), Others);
        if (field is null)
            Act();
        else
            Refused(() => Act(), field);
    }

    [Fact]
    public void Another_location_may_not_reuse_an_address_of_peer_2s_oslo()
    {
        var error = Refused(() => ConfigOps.CreateItem("location-addresses", "bergen", Fields("adhoc=198.18.1.20"), Others), "location-addresses.bergen.adhoc");
        Assert.Equal("is already peer 2's adhoc address for location oslo", error.Rule);
    }

    [Theory]
    [InlineData("address", "198.18.0.11", true, "ipv4.address")]
    [InlineData("mask", "16", true, "ipv4.mask")]
    [InlineData("gateway", "198.18.0.2", true, "ipv4.gateway")]
    [InlineData("additional", "198.18.0.15", true, null)]
    [InlineData("address", "198.18.0.11", false, null)]
    [InlineData("gateway", "198.18.0.2", false, null)]
    public void Primary_lan_settings_of_a_clustered_peer_cannot_change(string field, string value, bool clustered, string? refusedField)
    {
        var old = ConfigOps.SetFields("ipv4", null, new Dictionary<string, IReadOnlyList<string>>
        {
            ["address"] = ["198.18.0.10"],
            ["mask"] = ["24"],
            ["gateway"] = ["198.18.0.1"],
        }).Value;
        var ctx = new ConfigContext { IsClustered = clustered };
        if (refusedField is null)
            ConfigOps.Set("ipv4", old, field, [value], ctx);
        else
            Assert.Contains("clustered", Refused(() => ConfigOps.Set("ipv4", old, field, [value], ctx), refusedField).Rule);
    }

    [Fact]
    public void ValidateIpv4Change_allows_setting_an_address_that_was_not_set()
    {
        var fresh = ConfigOps.Defaults("ipv4");
        var set = ConfigOps.Set("ipv4", fresh, "address", ["198.18.0.10"]).Value;
        CrossPeerRules.ValidateIpv4Change(fresh, set, isClustered: true);
        CrossPeerRules.ValidateIpv4Change(set, set, isClustered: true);
    }

    [Fact]
    public void Unsetting_the_primary_address_of_a_clustered_peer_is_refused()
    {
        var old = ConfigOps.Set("ipv4", null, "address", ["198.18.0.10"]).Value;
        var error = Refused(() => ConfigOps.Unset("ipv4", old, "address", new ConfigContext { IsClustered = true }), "ipv4.address");
        Assert.Null(error.Value);
    }

    [Fact]
    public void Validate_of_a_whole_value_applies_the_cross_peer_rules()
    {
        var mine = new JsonObject { ["address"] = "198.18.0.20", ["mask"] = "255.255.255.0" };
        Refused(() => ConfigOps.Validate("ipv4", mine, Others), "ipv4.address");
    }
}
