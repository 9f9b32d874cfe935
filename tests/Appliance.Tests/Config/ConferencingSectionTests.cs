using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Config;

/// <summary>Issue 21: the conferencing sections (pools, preferences, aliases, template limits, location trunks) and their rules.</summary>
public class ConferencingSectionTests
{
    private static JsonObject Item(string section, string name, string fields) => ConfigOps.CreateItem(section, name, Fields(fields)).Value;

    /// <summary>A small, complete chain: bridges b1 b2, location oslo, pool p1, preference pref1, template t1, alias a1.</summary>
    private static ConfigContext Chain(params (string Section, JsonObject Item)[] extra)
    {
        (string, JsonObject)[] items =
        [
            ("bridges", Item("bridges", "b1", "address=198.18.2.10")),
            ("bridges", Item("bridges", "b2", "address=198.18.2.11")),
            ("locations", Item("locations", "oslo", "")),
            ("bridge-pools", Item("bridge-pools", "p1", "bridges=b1,b2;location=oslo")),
            ("service-preferences", Item("service-preferences", "pref1", "pools=p1")),
            ("templates", Item("templates", "t1", "preference=pref1")),
            ("conference-aliases", Item("conference-aliases", "a1", @"pattern=meet\.(\d+)@example\.com;conference=meet-$1;priority=10;template=t1")),
            .. extra,
        ];
        return new ConfigContext { Lookup = new ConfigLookup(section => items.Where(i => i.Item1 == section).Select(i => i.Item2).ToList()) };
    }

    [Theory]
    [InlineData("bridge-pools", "p1", "bridges=b1")]
    [InlineData("bridge-pools", "eu", "bridges=b1,b2;location=oslo;description=Oslo racks")]
    [InlineData("service-preferences", "pref1", "pools=p1")]
    [InlineData("templates", "t9", "preference=pref1;maxConferences=20;lingerSeconds=0;licence=personal")]
    [InlineData("conference-aliases", "a9", @"pattern=(?<room>\w+)@example\.com;conference=room-${room};role=chair;priority=1;template=t1")]
    [InlineData("conference-aliases", "a8", "pattern=ops@example.com;conference=ops;priority=65535;template=t1")]
    [InlineData("locations", "bergen", "conferenceType=both;trunkAddress=198.18.0.5;trunkPort=5061;trunkTransport=tls")]
    [InlineData("locations", "bergen", "trunkAddress=vcs.example.test")]
    public void Good_items_are_accepted_with_the_chain_in_place(string section, string name, string fields)
    {
        var item = ConfigOps.CreateItem(section, name, Fields(fields), Chain()).Value;
        Assert.Equal(name, Text(item, "name"));
    }

    [Fact]
    public void Defaults_fill_the_new_fields_of_templates_and_locations()
    {
        var template = Item("templates", "t", "");
        Assert.Equal(10, (int)template["lingerSeconds"]!);
        Assert.Equal("shared", Text(template, "licence"));
        Assert.Null(template["preference"]);
        var location = Item("locations", "l", "");
        Assert.Equal("rendezvous", Text(location, "conferenceType"));
        Assert.Equal("tcp", Text(location, "trunkTransport"));
        Assert.Equal("guest", Text(Item("conference-aliases", "a", "pattern=x;conference=x;priority=1;template=t"), "role"));
    }

    [Theory]
    [InlineData("conference-aliases", "a", "pattern=(a)\\1;conference=x;priority=1;template=t1", "conference-aliases.a.pattern", "cannot be matched without backtracking")]
    [InlineData("conference-aliases", "a", "pattern=(?=a)b;conference=x;priority=1;template=t1", "conference-aliases.a.pattern", "cannot be matched without backtracking")]
    [InlineData("conference-aliases", "a", "pattern=meet(;conference=x;priority=1;template=t1", "conference-aliases.a.pattern", "is not a valid regular expression")]
    [InlineData("conference-aliases", "a", "pattern=meet(\\d+);conference=m-$2;priority=1;template=t1", "conference-aliases.a.conference", "names group $2, which the pattern does not have (it has $1)")]
    [InlineData("conference-aliases", "a", "pattern=meet;conference=m-${id};priority=1;template=t1", "conference-aliases.a.conference", "names group ${id}, which the pattern does not have (it has no groups)")]
    [InlineData("conference-aliases", "a", "pattern=meet;conference=x;priority=0;template=t1", "conference-aliases.a.priority", "is not from 1 to 65535")]
    [InlineData("conference-aliases", "a", "pattern=meet;conference=x;role=host;priority=1;template=t1", "conference-aliases.a.role", "is not one of: chair, guest")]
    [InlineData("conference-aliases", "a", "conference=x;priority=1;template=t1", "conference-aliases.a.pattern", "is required")]
    [InlineData("bridge-pools", "p", "", "bridge-pools.p.bridges", "needs at least one bridge (config set bridge-pools.NAME.bridges B1 B2)")]
    [InlineData("bridge-pools", "p", "bridges=b1,b1", "bridge-pools.p.bridges", "is listed twice")]
    [InlineData("bridge-pools", "p", "bridges=b1,bad/name", "bridge-pools.p.bridges", ItemNames.Rule)]
    [InlineData("service-preferences", "s", "", "service-preferences.s.pools", "needs at least one bridge pool (config set service-preferences.NAME.pools P1 P2)")]
    [InlineData("templates", "t", "lingerSeconds=3601", "templates.t.lingerSeconds", "is not from 0 to 3600")]
    [InlineData("templates", "t", "licence=free", "templates.t.licence", "is not one of: shared, personal")]
    [InlineData("locations", "l", "trunkPort=5060", "locations.l.trunkPort", "needs trunkAddress set too (the call processor's address)")]
    [InlineData("locations", "l", "trunkAddress=vcs;trunkTransport=sctp", "locations.l.trunkTransport", "is not one of: udp, tcp, tls")]
    [InlineData("locations", "l", "conferenceType=webinar", "locations.l.conferenceType", "is not one of: rendezvous, adhoc, both")]
    public void Bad_items_are_refused_naming_field_and_rule(string section, string name, string fields, string field, string rule)
    {
        var error = Refused(() => ConfigOps.CreateItem(section, name, Fields(fields)), field);
        Assert.StartsWith(rule, error.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_pattern_names_the_pattern_and_the_engines_reason()
    {
        var error = Refused(() => ConfigOps.CreateItem("conference-aliases", "a", Fields(@"pattern=(\w+)-\1;conference=x;priority=1;template=t1")), "conference-aliases.a.pattern");
        Assert.Equal(@"(\w+)-\1", error.Value);
        Assert.Contains("NonBacktracking", error.Rule, StringComparison.Ordinal); // .NET's own words on what it cannot do
    }

    [Theory]
    [InlineData("bridge-pools", "p9", "bridges=b1,b7", "bridge-pools.p9.bridges", "b7", "is not a bridge (configured: b1, b2; add it with 'config add bridges b7 address=...')")]
    [InlineData("bridge-pools", "p9", "bridges=b1;location=paris", "bridge-pools.p9.location", "paris", "is not one of the locations (configured: oslo; add it with 'config add locations paris')")]
    [InlineData("service-preferences", "s9", "pools=p1,p7", "service-preferences.s9.pools", "p7", "is not a bridge pool (configured: p1; add it with 'config add bridge-pools p7 bridges=B1,B2')")]
    [InlineData("templates", "t9", "preference=gold", "templates.t9.preference", "gold", "is not one of the service-preferences (configured: pref1; add it with 'config add service-preferences gold pools=POOL,...')")]
    [InlineData("conference-aliases", "a9", "pattern=x;conference=x;priority=1;template=t7", "conference-aliases.a9.template", "t7", "is not one of the templates (configured: t1; add it with 'config add templates t7')")]
    public void A_link_of_the_chain_that_names_nothing_is_refused(string section, string name, string fields, string field, string value, string rule)
    {
        var error = Refused(() => ConfigOps.CreateItem(section, name, Fields(fields), Chain()), field);
        Assert.Equal(value, error.Value);
        Assert.Equal(rule, error.Rule);
    }

    [Theory]
    [InlineData("bridges", "b2", "is named in the bridges of bridge-pools p1; change or remove it first")]
    [InlineData("bridge-pools", "p1", "is named in the pools of service-preferences pref1; change or remove it first")]
    [InlineData("service-preferences", "pref1", "is named in the preference of templates t1; change or remove it first")]
    [InlineData("templates", "t1", "is named in the template of conference-aliases a1; change or remove it first")]
    [InlineData("locations", "oslo", "is named in the location of bridge-pools p1; change or remove it first")]
    public void Removing_what_another_record_names_is_refused_naming_who(string section, string name, string rule)
    {
        var error = Refused(() => ReferenceRules.CheckRemove(section, name, Chain()), section);
        Assert.Equal(name, error.Value);
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void Removing_what_nothing_names_is_allowed()
    {
        ReferenceRules.CheckRemove("conference-aliases", "a1", Chain());
        ReferenceRules.CheckRemove("bridges", "b3", Chain());
    }

    [Fact]
    public void A_template_cannot_allow_fewer_conferences_than_are_live()
    {
        var live = ConfigOps.CreateItem("conferences", "c1", Fields("bridge=b1;template=t1;started=2026-11-25T12:00:00Z")).Value;
        var live2 = ConfigOps.CreateItem("conferences", "c2", Fields("bridge=b1;template=t1;started=2026-11-25T12:00:00Z")).Value;
        var ctx = Chain(("conferences", live), ("conferences", live2));
        var error = Refused(() => ConfigOps.Set("templates", Item("templates", "t1", "preference=pref1"), "maxConferences", ["1"], ctx), "templates.t1.maxConferences");
        Assert.Equal("is less than the 2 live conferences of this template", error.Rule);
    }

    [Fact]
    public void The_new_kinds_describe_themselves_for_help()
    {
        Assert.True(ConfigSchema.TryGet("conference-aliases", out var aliases));
        var pattern = FieldDescription.Describe(aliases.GetField("pattern"));
        Assert.Equal("regex", (string?)pattern["kind"]);
        Assert.Contains("regular expression", (string?)pattern["syntax"], StringComparison.Ordinal);
        Assert.True(ConfigSchema.TryGet("bridge-pools", out var pools));
        var bridges = FieldDescription.Describe(pools.GetField("bridges"));
        Assert.Equal("tokenList", (string?)bridges["kind"]);
        Assert.Equal(32, (int)bridges["maxCount"]!);
    }
}
