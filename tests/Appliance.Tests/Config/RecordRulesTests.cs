using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

/// <summary>Issue 18, points 4-6: rules between records (location addresses, conferences and what they name).</summary>
public class RecordRulesTests
{
    private static JsonObject Item(string section, string name, string fields) => ConfigOps.CreateItem(section, name, Fields(fields)).Value;

    /// <summary>A lookup over fixed items: shared sections and this peer's own location addresses.</summary>
    private static ConfigLookup Lookup(params (string Section, JsonObject Item)[] items) =>
        new(section => items.Where(i => i.Section == section).Select(i => i.Item).ToList());

    private static readonly PeerView Peer2 = new(2, "peer 2", "p2",
        ConfigOps.SetFields("ipv4", null, new Dictionary<string, IReadOnlyList<string>> { ["address"] = ["198.18.0.20"], ["additional"] = ["198.18.0.21"] }).Value,
        new Dictionary<string, JsonObject> { ["bergen"] = Item("location-addresses", "bergen", "rendezvous=198.18.1.30") });

    private static ConfigContext Context(params (string Section, JsonObject Item)[] items) => new()
    {
        OwnAddress = "198.18.0.10",
        ClusterAddresses = ["127.0.0.11", "127.0.0.12"],
        OtherPeers = [Peer2],
        Lookup = Lookup([("locations", Item("locations", "oslo", "")), ("locations", Item("locations", "bergen", "")), .. items]),
    };

    [Theory]
    [InlineData("adhoc=198.18.1.10;rendezvous=198.18.0.11", null, null)]
    [InlineData("rendezvous=198.18.0.10", "location-addresses.oslo.rendezvous", "is this peer's management address (ipv4.address)")]
    [InlineData("adhoc=127.0.0.12", "location-addresses.oslo.adhoc", "is peer 2's cluster address (cluster.peers)")]
    [InlineData("adhoc=198.18.1.10;rendezvous=198.18.1.10", "location-addresses.oslo.rendezvous", "is also the location's adhoc address; each address serves one purpose")]
    [InlineData("rendezvous=198.18.1.30", "location-addresses.oslo.rendezvous", "is already peer 2's rendezvous address for location bergen")]
    [InlineData("adhoc=198.18.0.21", "location-addresses.oslo.adhoc", "is already peer 2's additional address")]
    [InlineData("adhoc=198.18.1.40", "location-addresses.oslo.adhoc", "is already this peer's rendezvous address for location bergen")]
    public void Location_addresses_are_unique_across_every_location_and_peer(string fields, string? field, string? rule)
    {
        var ctx = Context(("location-addresses", Item("location-addresses", "bergen", "rendezvous=198.18.1.40")));
        AcceptedOrRefused(() => ConfigOps.CreateItem("location-addresses", "oslo", Fields(fields), ctx), field, rule);
    }

    private static void AcceptedOrRefused(Func<ConfigResult> act, string? field, string? rule)
    {
        if (field is null)
            act();
        else
            Assert.Equal(rule, Refused(() => act(), field).Rule);
    }

    [Fact]
    public void Location_addresses_for_a_location_that_does_not_exist_are_refused()
    {
        var error = Refused(() => ConfigOps.CreateItem("location-addresses", "trondheim", Fields("adhoc=198.18.1.10"), Context()), "location-addresses.name");
        Assert.Equal("trondheim", error.Value);
        Assert.Contains("config add locations trondheim", error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv4_may_not_take_another_peers_location_address_nor_make_its_own_one_the_management_address()
    {
        var ctx = Context(("location-addresses", Item("location-addresses", "oslo", "rendezvous=198.18.1.40")));
        var theirs = Refused(() => ConfigOps.Set("ipv4", null, "additional", ["198.18.1.30"], ctx), "ipv4.additional");
        Assert.Equal("is already peer 2's rendezvous address for location bergen", theirs.Rule);
        Assert.Equal("is this peer's rendezvous address for location oslo",
            Refused(() => ConfigOps.Set("ipv4", null, "address", ["198.18.1.40"], ctx), "ipv4.address").Rule);
        ConfigOps.Set("ipv4", null, "additional", ["198.18.1.40"], ctx); // its own additional address serves its location
    }

    [Fact]
    public void A_location_with_addresses_on_any_peer_cannot_be_removed()
    {
        var error = Assert.Throws<ConfigValidationException>(() => ReferenceRules.CheckRemove("locations", "bergen", Context())).Error;
        Assert.Equal(("locations", "bergen"), (error.Field, error.Value));
        Assert.Contains("peer 2", error.Rule, StringComparison.Ordinal);
        var mine = Assert.Throws<ConfigValidationException>(() =>
            ReferenceRules.CheckRemove("locations", "oslo", Context(("location-addresses", Item("location-addresses", "oslo", "adhoc=198.18.1.10")))));
        Assert.Contains("this peer", mine.Error.Rule, StringComparison.Ordinal);
        ReferenceRules.CheckRemove("locations", "oslo", Context());
    }

    private static readonly (string, JsonObject)[] BridgeAndTemplate =
        [("bridges", Item("bridges", "b1", "address=198.18.2.10")), ("templates", Item("templates", "t10", "maxParticipants=10"))];

    [Theory]
    [InlineData("bridge=b1;template=t10;participants=10", null, null)]
    [InlineData("bridge=b2;template=t10", "conferences.c.bridge", "is not a bridge (configured: b1; add it with 'config add bridges b2 address=...')")]
    [InlineData("bridge=b1;template=t9", "conferences.c.template", "is not a conference template (configured: t10; add it with 'config add templates t9')")]
    [InlineData("bridge=b1;template=t10;participants=11", "conferences.c.participants", "is more than template t10's maxParticipants 10")]
    [InlineData("bridge=b1;participants=1", "conferences.c.template", "is required")]
    public void A_conference_names_an_existing_bridge_and_template_within_its_maximum(string fields, string? field, string? rule)
    {
        var ctx = new ConfigContext { Lookup = Lookup(BridgeAndTemplate) };
        AcceptedOrRefused(() => ConfigOps.CreateItem("conferences", "c", Fields(fields + ";started=2026-11-25T12:00:00Z"), ctx), field, rule);
    }

    [Fact]
    public void What_a_live_conference_uses_cannot_be_removed_or_shrunk_below_it()
    {
        var live = Item("conferences", "weekly", "bridge=b1;template=t10;participants=8;started=2026-11-25T12:00:00Z");
        var ctx = new ConfigContext { Lookup = Lookup([.. BridgeAndTemplate, ("conferences", live)]) };
        var bridge = Assert.Throws<ConfigValidationException>(() => ReferenceRules.CheckRemove("bridges", "b1", ctx)).Error;
        Assert.Equal("bridges: \"b1\" is in use by live conference weekly; remove it once it has ended", bridge.Message);
        Assert.Contains("weekly", Assert.Throws<ConfigValidationException>(() => ReferenceRules.CheckRemove("templates", "t10", ctx)).Message, StringComparison.Ordinal);
        var template = BridgeAndTemplate[1].Item2;
        Assert.Equal("is less than the 8 participants of live conference weekly",
            Refused(() => ConfigOps.Set("templates", template, "maxParticipants", ["7"], ctx), "templates.t10.maxParticipants").Rule);
        ConfigOps.Set("templates", template, "maxParticipants", ["8"], ctx);
        ReferenceRules.CheckRemove("bridges", "b2", ctx);
    }

    /// <summary>
    /// What the cross-record alarms weigh again after a change (issue 19): the sections whose rules read
    /// the changed one, and its own; a burst of locations (as an API client's writes) weighs only the pools.
    /// </summary>
    [Theory]
    [InlineData("locations", "bridge-pools")]
    [InlineData("bridges", "conferences bridge-pools")]
    [InlineData("bridge-pools", "bridge-pools service-preferences")]
    [InlineData("service-preferences", "service-preferences templates")]
    [InlineData("templates", "conferences templates conference-aliases")]
    [InlineData("conference-aliases", "conference-aliases")]
    [InlineData("system", "")]
    public void A_change_is_weighed_again_by_the_sections_whose_rules_read_it(string changed, string readers)
    {
        Assert.Equal(readers.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal),
            ReferenceRules.ReadersOf(changed).Order(StringComparer.Ordinal));
        Assert.All(ReferenceRules.ReadersOf(changed), s => Assert.Contains(s, ReferenceRules.ReferringSections));
    }

    [Fact]
    public void Without_a_lookup_a_record_is_checked_on_its_own()
    {
        // A record from a peer: the node's cross-record check weighs it against the others.
        ConfigOps.Validate("conferences", Item("conferences", "c", "bridge=nowhere;template=none;participants=99;started=2026-11-25T12:00:00Z"));
        ConfigOps.Validate("location-addresses", Item("location-addresses", "nowhere", "adhoc=198.18.1.10"));
    }
}
