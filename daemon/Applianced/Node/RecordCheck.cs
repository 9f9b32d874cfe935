using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Config;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// The one check of a stored record that did not come through this peer's own API: replicated by a
/// peer, pulled by recovery, or found in the store at start (a restored backup, or a value stored
/// under older rules). A peer holding the key, or whoever crafted a backup, can put any value there.
/// The check is the model's own (<see cref="ConfigOps.Validate"/>, as for a typed value) minus the
/// cross-peer rules, which weigh concurrent writes of several peers against each other, not one value;
/// plus what only a record can get wrong: its scope, its key, and that a peer-specific record was
/// written by that peer (no peer writes another's settings; it may only delete a forgotten peer's). Records of sections that are not
/// configuration (licences, which carry their own signature) are not this check's business.
/// </summary>
public static class RecordCheck
{
    /// <summary>Null when the record may be used (tombstones included), else the rule it broke.</summary>
    public static ValidationError? Check(StoredRecord record) => Validate(record).Error;

    /// <summary>The value as appliers may use it (defaults filled in; null for a tombstone or a record outside the model), or the rule broken.</summary>
    public static (JsonObject? Value, ValidationError? Error) Validate(StoredRecord record)
    {
        // A tombstone is the exception: a member deletes the records of a peer the cluster forgot
        // (Cluster/REPLICATION.md, "Forgetting a peer"); a delete sets nothing a peer could apply.
        if (Scopes.IsPeer(record.Scope, out var owner) && record.Version.Origin != owner && record.Value is not null)
            return Refused(Name(record), $"is a setting of peer {owner} but was written by peer {record.Version.Origin}; only a peer writes its own settings");
        if (record.Value is null)
            return (null, null);
        if (record.Section == FirewallWindow.ActiveSection)
            return record.Scope == Scopes.Cluster && record.Key.Length == 0 ? ActiveRules(record.Value) : Refused(Name(record), "is not where the active firewall rules live");
        if (!ConfigSchema.TryGet(record.Section, out var def) || def.Name != record.Section)
            return (null, null);
        var inScope = def.Scope switch
        {
            ConfigScope.Cluster => record.Scope == Scopes.Cluster,
            ConfigScope.Peer => Scopes.IsPeer(record.Scope, out _),
            _ => false,
        };
        if (!inScope)
            return Refused(Name(record), def.Scope == ConfigScope.Local ? "is local to each peer and never replicated" : $"is {def.Scope.ToString().ToLowerInvariant()} configuration, not in scope {record.Scope}");
        if (Parse(record.Value) is not { } value)
            return Refused(Name(record), "is not a JSON object");
        var key = def.IsCollection ? RuleContext.Text(value, SectionDef.NameField) : "";
        if (key != record.Key)
            return Refused(Name(record), def.IsCollection ? $"is stored under the key '{record.Key}' but names itself '{key}'" : "is a plain section stored under a key");
        return Model(() => ConfigOps.Validate(def.Name, value).Value, Name(record));
    }

    /// <summary>"system", "bridges.b1": what a message calls the record.</summary>
    public static string Name(StoredRecord record) => TextRules.Escape(record.Key.Length == 0 ? record.Section : $"{record.Section}.{record.Key}");

    /// <summary>The active firewall set {rules, previous}: every rule in it is a firewall item the model accepts.</summary>
    private static (JsonObject?, ValidationError?) ActiveRules(string raw)
    {
        if (Parse(raw) is not { } value || value.Any(kv => kv.Key is not ("rules" or "previous")))
            return Refused(FirewallWindow.ActiveSection, "is not an object holding rules and previous");
        foreach (var list in new[] { "rules", "previous" })
        {
            if (value[list] is null)
                continue;
            if (value[list] is not JsonArray items || items.Any(i => i is not JsonObject))
                return Refused($"{FirewallWindow.ActiveSection}.{list}", "is not a list of firewall rules");
            foreach (var item in items.Cast<JsonObject>())
            {
                var (_, error) = Model(() => ConfigOps.Validate("firewall", item).Value, FirewallWindow.ActiveSection);
                if (error is not null)
                    return (null, error with { Field = $"{FirewallWindow.ActiveSection}.{list}.{error.Field["firewall.".Length..]}" });
            }
        }
        return (value, null);
    }

    /// <summary>
    /// Runs a model check; whatever it throws counts against the value. A hostile value that makes
    /// the check itself fail (rather than refuse) must not reach an applier nor stop the checking.
    /// </summary>
    internal static (JsonObject? Value, ValidationError? Error) Model(Func<JsonObject> validate, string what)
    {
        try
        {
            return (validate(), null);
        }
        catch (ConfigValidationException e)
        {
            return (null, e.Error);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, new ValidationError(what, null, $"could not be checked ({e.GetType().Name}: {TextRules.Escape(e.Message)})"));
        }
    }

    /// <summary>The value as a JSON object, or null when it is not one (duplicate keys included).</summary>
    internal static JsonObject? Parse(string raw)
    {
        try
        {
            var value = JsonNode.Parse(raw) as JsonObject;
            _ = value?.Count; // a duplicate key throws only when the object is first read
            return value;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static (JsonObject?, ValidationError?) Refused(string field, string rule) => (null, new ValidationError(field, null, rule));
}

/// <summary>An applier met a record <see cref="RecordCheck"/> refuses: it applies nothing and the host keeps what it runs.</summary>
public sealed class InvalidRecordException(StoredRecord record, ValidationError error)
    : Exception($"{RecordCheck.Name(record)} (written by peer {record.Version.Origin}) is not applied: {error.Message}")
{
    public StoredRecord Record { get; } = record;
    public ValidationError Error { get; } = error;
}
