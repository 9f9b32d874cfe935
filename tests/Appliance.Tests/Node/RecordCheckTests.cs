using Appliance.Daemon.Appliers;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Tests.Node;

/// <summary>What the one check of a record from outside refuses besides the model's own field rules.</summary>
public sealed class RecordCheckTests
{
    private const string Peer = "peer-a";
    private static readonly string PeerScope = Scopes.Peer(Peer);

    private static StoredRecord Record(string scope, string section, string key, string? value, string writer = Peer) =>
        new(scope, section, key, value, new RecordVersion(1_700_000_000_000_000, writer));

    [Theory]
    [InlineData("cluster", "bridges", "b1", """{"name":"b1","address":"198.18.2.10"}""")]
    [InlineData("peer:peer-a", "system", "", """{"hostname":"peer-a"}""")]
    [InlineData("peer:peer-a", "system", "", null)] // a tombstone holds nothing to check
    [InlineData("cluster", "firewall-active", "", """{"rules":[{"name":"web","priority":10,"protocol":"tcp","port":"443","action":"accept"}],"previous":null}""")]
    [InlineData("cluster", "bench", "item1", "not json")] // not configuration: nothing renders it
    public void Valid_or_foreign_records_pass(string scope, string section, string key, string? value) =>
        Assert.Null(RecordCheck.Check(Record(scope, section, key, value)));

    [Theory]
    [InlineData("peer:peer-b", "system", "", """{"hostname":"peer-b"}""", "system", "is a setting of peer peer-b but was written by peer peer-a; only a peer writes its own settings")]
    [InlineData("peer:peer-a", "bridges", "b1", """{"name":"b1","address":"198.18.2.10"}""", "bridges.b1", "is cluster configuration, not in scope peer:peer-a")]
    [InlineData("cluster", "system", "", """{"hostname":"x"}""", "system", "is peer configuration, not in scope cluster")]
    [InlineData("cluster", "root", "", """{}""", "root", "is local to each peer and never replicated")]
    [InlineData("cluster", "bridges", "b1", """{"name":"b2","address":"198.18.2.10"}""", "bridges.b1", "is stored under the key 'b1' but names itself 'b2'")]
    [InlineData("peer:peer-a", "system", "x", """{"hostname":"x"}""", "system.x", "is a plain section stored under a key")]
    [InlineData("peer:peer-a", "dns", "", "[\"198.18.0.53\"]", "dns", "is not a JSON object")]
    [InlineData("peer:peer-a", "dns", "", """{"servers":[],"servers":["0.0.0.0"]}""", "dns", "is not a JSON object")]
    [InlineData("peer:peer-a", "dns", "", """{"servers":"198.18.0.53"}""", "dns.servers", "must be a list of strings")]
    [InlineData("peer:peer-a", "time", "", """{"zone":"../../etc/shadow"}""", "time.zone", "is not a time zone name like Europe/Oslo")]
    [InlineData("cluster", "firewall-active", "", """{"rules":[{"name":"r","priority":0,"protocol":"tcp","port":"22","action":"drop"}]}""",
        "firewall-active.rules.r.priority", "is not from 1 to 65535")]
    [InlineData("cluster", "firewall-active", "", """{"rules":{},"previous":null}""", "firewall-active.rules", "is not a list of firewall rules")]
    [InlineData("cluster", "firewall-active", "", """{"rules":[],"extra":1}""", "firewall-active", "is not an object holding rules and previous")]
    public void Records_out_of_place_or_shape_are_refused_naming_the_rule(string scope, string section, string key, string value, string field, string rule)
    {
        var error = RecordCheck.Check(Record(scope, section, key, value));
        Assert.NotNull(error);
        Assert.Equal((field, rule), (error.Field, error.Rule));
    }

    [Fact]
    public void The_active_firewall_set_is_checked_in_the_cluster_scope_only() =>
        Assert.Equal("is not where the active firewall rules live",
            RecordCheck.Check(Record(PeerScope, FirewallWindow.ActiveSection, "", """{"rules":[]}"""))!.Rule);
}
