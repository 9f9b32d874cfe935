using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Hal;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Appliers;

/// <summary>
/// Records a peer holding the key wrote without the model's checks (straight into its store, as an
/// attacker could), arriving through both doors of the store: the live stream (ApplyRemote) and
/// recovery (MergeRecords). The receiver keeps them (digests stay equal) but never applies them,
/// logs them and raises an alarm per record that goes when a valid write replaces it.
/// </summary>
public sealed class PlantedRecordTests
{
    public const string Hidden = "\u202E";

    /// <summary>An active rule set of one rule the firewall can run (a drop of ssh); by default its description hides a bidi override.</summary>
    public static string ActiveWithOverride(string description = $"allow{Hidden}pord") => new JsonObject
    {
        ["rules"] = new JsonArray(new JsonObject
        {
            ["name"] = "ssh", ["priority"] = 5, ["source"] = "any", ["protocol"] = "tcp", ["port"] = "22", ["action"] = "drop",
            ["description"] = description,
        }),
        ["previous"] = null,
    }.ToJsonString();

    public static TheoryData<string> Doors() => ["stream", "recovery"];

    private static void Deliver(NodeFixture to, IReadOnlyList<Operation> ops, string door)
    {
        if (door == "stream") to.Node.Store.ApplyRemote(ops);
        else to.Node.Store.MergeRecords(ops);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_planted_firewall_set_is_kept_away_from_the_firewall_logged_and_alarmed_until_replaced(string door)
    {
        await using var b = NodeFixture.Start();
        using var dir = new TempDirectory();
        using var attacker = StoreClass.Open(dir["attacker"]);
        await b.Settled(b.Appliers.Firewall);
        var before = ((SimulatedFirewall)b.Hal.Firewall).ActiveScript;

        var runs = b.Appliers.Firewall.Runs;
        Deliver(b, attacker.Write([new Mutation(Scopes.Cluster, FirewallWindow.ActiveSection, "", ActiveWithOverride())]).Operations, door);
        var alarm = InvalidRecordAlarms.AlarmPrefix + $"cluster/{FirewallWindow.ActiveSection}/";
        await NodeFixture.Eventually(() => b.Node.Logs.Alarms.IsActive(alarm) && b.Appliers.Firewall.Runs > runs,
            () => $"alarms: {string.Join("; ", b.Node.Logs.Alarms.Active().Select(a => a.Id))}; firewall runs {b.Appliers.Firewall.Runs}");

        var status = await b.Settled(b.Appliers.Firewall);
        Assert.Equal(ApplierStatus.Failed, status.State);
        Assert.Contains("firewall-active.rules.ssh.description", status.Reason);
        Assert.Equal(before, ((SimulatedFirewall)b.Hal.Firewall).ActiveScript); // the drop of port 22 never ran
        Assert.DoesNotContain("dport 22", ((SimulatedFirewall)b.Hal.Firewall).ActiveScript ?? "");
        var line = Assert.Single(b.Node.Logs.Events.Read(), e => e.Message.StartsWith("invalid record firewall-active", StringComparison.Ordinal));
        Assert.Equal("error", line.Level);
        Assert.Contains($"from peer {attacker.PeerId}", line.Message);
        Assert.Contains("firewall-active.rules.ssh.description: \"allow<U+202E>pord\" contains U+202E", line.Message);
        Assert.DoesNotContain(Hidden, line.Message);
        Assert.Equal(ActiveWithOverride(), b.Node.Store.Get(Scopes.Cluster, FirewallWindow.ActiveSection, "")!.Value); // stored as sent

        // A valid set replacing it is applied and the alarm goes.
        var valid = ActiveWithOverride("drop ssh");
        Deliver(b, attacker.Write([new Mutation(Scopes.Cluster, FirewallWindow.ActiveSection, "", valid)]).Operations, door);
        await NodeFixture.Eventually(() => !b.Node.Logs.Alarms.IsActive(alarm), () => "the alarm stays after a valid set replaced the record: " + string.Join("; ", b.Node.Logs.Alarms.Active().Select(a => a.Text)));
        await b.Settled(b.Appliers.Firewall, s => s.State == ApplierStatus.Applied);
        Assert.Contains("tcp dport 22 drop", ((SimulatedFirewall)b.Hal.Firewall).ActiveScript);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task Another_peer_writing_this_peers_settings_is_not_applied_until_this_peer_writes_them(string door)
    {
        await using var b = NodeFixture.Start();
        using var dir = new TempDirectory();
        using var attacker = StoreClass.Open(dir["attacker"]);
        await b.Set("dns.servers", "198.18.0.53");
        await b.Settled(b.Appliers.HostFiles, s => ((SimulatedHostFiles)b.Hal.HostFiles).ResolvConf?.Contains("198.18.0.53") == true);

        var own = Scopes.Peer(b.Node.Store.PeerId);
        Deliver(b, attacker.Write([new Mutation(own, "dns", "", """{"servers":["198.18.0.66"]}""")]).Operations, door);
        var alarm = InvalidRecordAlarms.AlarmPrefix + $"{own}/dns/";
        await NodeFixture.Eventually(() => b.Node.Logs.Alarms.IsActive(alarm), () => "no alarm for the planted dns record");
        var status = await b.Settled(b.Appliers.HostFiles, s => s.State == ApplierStatus.Failed);
        Assert.Contains($"written by peer {attacker.PeerId}", status.Reason);
        Assert.DoesNotContain("198.18.0.66", ((SimulatedHostFiles)b.Hal.HostFiles).ResolvConf);
        Assert.Contains(b.Node.Logs.Alarms.Active(), a => a.Id == alarm && a.Text.Contains($"only a peer writes its own settings"));

        await b.Set("dns.servers", "198.18.0.54");
        await NodeFixture.Eventually(() => !b.Node.Logs.Alarms.IsActive(alarm), () => "the alarm stays after this peer wrote its dns servers");
        await b.Settled(b.Appliers.HostFiles, s => ((SimulatedHostFiles)b.Hal.HostFiles).ResolvConf?.Contains("198.18.0.54") == true);
    }

    [Fact]
    public async Task Values_that_are_not_objects_or_hide_text_leave_the_api_working_and_are_alarmed_until_deleted()
    {
        await using var b = NodeFixture.Start();
        using var dir = new TempDirectory();
        using var attacker = StoreClass.Open(dir["attacker"]);
        b.Node.Store.ApplyRemote(attacker.Write([new Mutation(Scopes.Cluster, "bridges", "b1", "[1,2]"),
            new Mutation(Scopes.Cluster, "bridges", "b2", new JsonObject { ["name"] = "b2", ["address"] = "198.18.2.10", ["user"] = $"ad{Hidden}min" }.ToJsonString()),
            new Mutation(Scopes.Peer(attacker.PeerId), "system", "", """{"hostname":7}""")]).Operations);
        var alarm = InvalidRecordAlarms.AlarmPrefix + "cluster/bridges/b1";
        await NodeFixture.Eventually(() => b.Node.Logs.Alarms.IsActive(alarm), () => "no alarm for bridges.b1");
        await NodeFixture.Eventually(() => b.Node.Logs.Alarms.IsActive(InvalidRecordAlarms.AlarmPrefix + $"peer:{attacker.PeerId}/system/"),
            () => "no alarm for the other peer's system record");
        var shown = (await b.Call("config.show"))!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.Contains("ad<U+202E>min", shown); // shown, so it can be removed, but never raw
        Assert.DoesNotContain(Hidden, shown);
        Assert.NotNull(await b.Call("config.show", new JsonObject { ["peer"] = attacker.PeerId }));
        Assert.NotNull(await b.Call("status"));

        b.Node.Store.ApplyRemote(attacker.Write([new Mutation(Scopes.Cluster, "bridges", "b1", null)]).Operations);
        await NodeFixture.Eventually(() => !b.Node.Logs.Alarms.IsActive(alarm), () => "the alarm stays after the record was deleted");
        Assert.Contains(b.Node.Logs.Alarms.All(), a => a.Id == alarm && a.Lowered is not null);
        Assert.Equal(AlarmRegistry.Error, b.Node.Logs.Alarms.All().First(a => a.Id == alarm).Severity);
    }

    [Fact]
    public async Task A_flood_of_invalid_records_raises_bounded_alarms_and_lines_and_deleting_them_clears_all()
    {
        await using var b = NodeFixture.Start();
        using var dir = new TempDirectory();
        using var attacker = StoreClass.Open(dir["attacker"]);
        var planted = Enumerable.Range(0, InvalidRecordAlarms.MaxAlarms + 6)
            .Select(n => new Mutation(Scopes.Cluster, "locations", $"l{n}", new JsonObject { ["name"] = $"l{n}", ["description"] = "x\u2028y" }.ToJsonString())).ToList();
        b.Node.Store.ApplyRemote(attacker.Write(planted).Operations);
        await NodeFixture.Eventually(() => b.Node.Logs.Alarms.IsActive(InvalidRecordAlarms.OverflowAlarm), () => "no overflow alarm");

        Assert.Equal(InvalidRecordAlarms.MaxAlarms, b.Node.Logs.Alarms.Active().Count(a => a.Id.StartsWith(InvalidRecordAlarms.AlarmPrefix, StringComparison.Ordinal)));
        Assert.StartsWith("6 more invalid records", b.Node.Logs.Alarms.Active().Single(a => a.Id == InvalidRecordAlarms.OverflowAlarm).Text);
        var events = b.Node.Logs.Events.Read(null, 1000);
        Assert.Equal(20, events.Count(e => e.Message.StartsWith("invalid record locations.", StringComparison.Ordinal)));
        Assert.Contains(events, e => e.Message == "50 more invalid records (see the alarms)");

        b.Node.Store.ApplyRemote(attacker.Write(planted.Select(m => m with { Value = null }).ToList()).Operations);
        await NodeFixture.Eventually(() => !b.Node.Logs.Alarms.Active().Any(a => a.Id.StartsWith("invalid-record", StringComparison.Ordinal)),
            () => $"{b.Node.Logs.Alarms.Active().Count} alarms left");
    }

    [Fact]
    public async Task An_invalid_local_setting_found_at_start_is_logged_and_alarmed()
    {
        await using var f = NodeFixture.Start();
        // A hash of one iteration, as a crafted backup could hold: far below what the model accepts.
        f.Node.Store.SetLocal("section:root", new JsonObject { ["password"] = "pbkdf2-sha256$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==" }.ToJsonString());
        await f.ReopenAsync();
        await NodeFixture.Eventually(() => f.Node.Logs.Alarms.IsActive(InvalidRecordAlarms.AlarmPrefix + "local/root"), () => "no alarm for root");
        Assert.Contains(f.Node.Logs.Events.Read(), e => e.Level == "error"
            && e.Message == "invalid record local setting root in the store at start: root.password: is not a well-formed pbkdf2-sha256 hash; kept in the store, not applied");
    }
}
