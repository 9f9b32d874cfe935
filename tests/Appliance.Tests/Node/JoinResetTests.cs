using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Tests.Appliers;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Node;

/// <summary>
/// A join (ResetForJoin) drops the shared records without listing them in its commit: what was
/// derived from them (the config read cache; the alarms about a record the model refuses or one
/// breaking a rule between records) must go with them, not outlive them. Real store file.
/// </summary>
public sealed class JoinResetTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StoreClass _store;
    private readonly NodeLogs _logs;
    private readonly ConfigStore _config;

    public JoinResetTests()
    {
        _store = StoreClass.Open(_dir["data"]);
        _logs = new NodeLogs(_dir["logs"], 1 << 20, TimeProvider.System);
        _config = new ConfigStore(_store, _logs);
    }

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_join_that_drops_the_shared_sections_is_not_answered_from_the_config_read_cache()
    {
        _store.Write([new Mutation(Scopes.Cluster, "admin", "", """{"user":"ops"}""")]);
        Assert.Equal("ops", (string?)_config.Read("admin")["user"]); // read once: now cached

        _store.ResetForJoin(Path.Combine(_dir["data"], "backups", "before-join.db"));

        // The joiner's own admin section is gone until the cluster's arrives: the defaults, not the old user.
        Assert.Null(_store.Get(Scopes.Cluster, "admin", ""));
        Assert.NotEqual("ops", (string?)_config.Read("admin")["user"]);
    }

    [Fact]
    public async Task An_invalid_shared_record_dropped_by_a_join_has_its_alarm_lowered()
    {
        _store.Write([new Mutation(Scopes.Cluster, Daemon.Appliers.FirewallWindow.ActiveSection, "", PlantedRecordTests.ActiveWithOverride())]);
        var alarms = new InvalidRecordAlarms(_store, _config, _logs, id => id);
        await RaisedThenLoweredByJoin(InvalidRecordAlarms.AlarmPrefix, Daemon.Appliers.FirewallWindow.ActiveSection, "", alarms.Attach, alarms.Stop);
    }

    [Fact]
    public async Task A_shared_record_breaking_a_rule_dropped_by_a_join_has_its_alarm_lowered()
    {
        var pool = ConfigOps.CreateItem("bridge-pools", "p1", new Dictionary<string, string> { ["bridges"] = "gone" }).Value;
        _store.Write([new Mutation(Scopes.Cluster, "bridge-pools", "p1", pool.ToJsonString())]);
        var alarms = new CrossRecordAlarms(_store, _config, _logs, () => new ClusterSettings(null, [], null), _ => null, id => id);
        await RaisedThenLoweredByJoin(CrossRecordAlarms.AlarmPrefix, "bridge-pools", "p1", alarms.Attach, alarms.Stop);
    }

    /// <summary>The alarm is raised about the stored shared record; the join drops the record, and the alarm goes.</summary>
    private async Task RaisedThenLoweredByJoin(string alarmPrefix, string section, string key, Action attach, Action stop)
    {
        var alarm = alarmPrefix + StoredRecord.MakeId(Scopes.Cluster, section, key);
        attach();
        try
        {
            await NodeFixture.Eventually(() => _logs.Alarms.IsActive(alarm), ActiveAlarms);
            _store.ResetForJoin(Path.Combine(_dir["data"], "backups", "before-join.db"));
            Assert.Null(_store.Get(Scopes.Cluster, section, key));
            await NodeFixture.Eventually(() => !_logs.Alarms.IsActive(alarm), ActiveAlarms);
        }
        finally
        {
            stop();
        }
    }

    private string ActiveAlarms() => $"active alarms: {string.Join("; ", _logs.Alarms.Active().Select(a => a.Id))}; events: {string.Join("; ", _logs.Events.Read().Select(e => e.Message))}";
}
