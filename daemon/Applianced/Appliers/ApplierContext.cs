using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>What every applier reads from: this peer's configuration, its logs, the HAL and the cluster peer list.</summary>
public sealed record ApplierContext(ConfigStore Config, NodeLogs Logs, HalSet Hal, Func<IReadOnlyList<string>> ClusterPeers)
{
    /// <summary>How often each applier re-applies to repair drift when nothing changed.</summary>
    public TimeSpan DriftInterval { get; init; } = TimeSpan.FromMinutes(5);

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The SIP port the trunk listens on, opened by the firewall on the rendezvous addresses.</summary>
    public int SipPort { get; init; } = Appliance.Hal.FirewallRuleset.DefaultSipPort;

    /// <summary>The SIP over TLS port the trunk listens on (while a certificate is selected), opened like <see cref="SipPort"/>.</summary>
    public int SipTlsPort { get; init; } = Appliance.Hal.FirewallRuleset.DefaultSipTlsPort;

    /// <summary>Where the admin's SSH keys are written for sshd; null: not managed on this host.</summary>
    public string? AuthorizedKeysFile { get; init; }

    /// <summary>Where account password hashes are handed to appliance-accounts.service; null: not applied.</summary>
    public string? AccountsFile { get; init; }

    /// <summary>The cluster's state for the SNMP status files.</summary>
    public Func<SnmpStatus> ClusterStatus { get; init; } = () => new SnmpStatus("appliance", "standalone", 1, 1, 0);

    /// <summary>True for a record of this peer's own scope in one of <paramref name="sections"/> (peer-specific records are applied only by their owner).</summary>
    public bool IsOwn(StoredRecord r, params ReadOnlySpan<string> sections) => r.Scope == Config.OwnScope && sections.Contains(r.Section);

    public static bool IsShared(StoredRecord r, params ReadOnlySpan<string> sections) => r.Scope == Scopes.Cluster && sections.Contains(r.Section);

    /// <summary>
    /// This peer's plain section as an applier may use it: checked like a value from a peer
    /// (<see cref="RecordCheck"/>), since a peer or a restore may have put it there. An invalid record
    /// throws <see cref="InvalidRecordException"/>: the run fails and applies nothing, so the host keeps
    /// what it runs until the record is replaced by a valid one or deleted.
    /// </summary>
    public JsonObject Section(string section) => Checked(Config.OwnScope, section);

    /// <summary>A shared plain section, checked as <see cref="Section"/> is.</summary>
    public JsonObject SharedSection(string section) => Checked(Scopes.Cluster, section);

    /// <summary>The items of a shared collection that pass <see cref="RecordCheck"/>; an invalid one is left out (its alarm says why).</summary>
    public IReadOnlyList<JsonObject> SharedItems(string section) => CheckedItems(Scopes.Cluster, section);

    private List<JsonObject> CheckedItems(string scope, string section) =>
        Config.Store.List(scope, section).Select(RecordCheck.Validate)
            .Where(c => c.Error is null).Select(c => c.Value).OfType<JsonObject>().ToList();

    /// <summary>This peer's own items of a collection (location-addresses), checked as <see cref="SharedItems"/> are.</summary>
    public IReadOnlyList<JsonObject> OwnItems(string section) => CheckedItems(Config.OwnScope, section);

    /// <summary>
    /// This peer's rendezvous addresses (location-addresses.*.rendezvous): where the call processor's
    /// SIP trunk reaches it, served by the SIP listeners and opened by the firewall.
    /// </summary>
    public IReadOnlyList<IPAddress> RendezvousAddresses() =>
        OwnItems("location-addresses").Select(i => i["rendezvous"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .Where(s => !string.IsNullOrEmpty(s)).Select(s => IPAddress.Parse(s!)).Distinct().ToList();

    private JsonObject Checked(string scope, string section)
    {
        var record = Config.Store.Get(scope, section, "");
        if (record?.Value is null) return ConfigSchema.Get(section).Defaults();
        var (value, error) = RecordCheck.Validate(record);
        return error is null ? value! : throw new InvalidRecordException(record, error);
    }

    public string? Text(string section, string field) =>
        Section(section)[field] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    public IReadOnlyList<string> List(string section, string field) =>
        Section(section)[field] is JsonArray a
            ? a.Select(n => n?.GetValue<string>()).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToList()
            : [];
}
