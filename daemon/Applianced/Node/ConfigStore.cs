using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Node;

/// <summary>
/// The configuration model bound to the store: where each section lives (cluster scope, this peer's
/// scope, local), reading with defaults, validated writes and the configuration log.
/// Every change goes through <see cref="Change"/>, whichever channel asks (cli, api, lcd).
/// </summary>
public sealed class ConfigStore(Store.Store store, NodeLogs logs)
{
    private const string LocalPrefix = "section:";

    public Store.Store Store => store;
    /// <summary>This peer's scope, made once: the appliers ask for it for every record every commit brings.</summary>
    public string OwnScope => _ownScope ??= Scopes.Peer(store.PeerId);
    private string? _ownScope;

    public string ScopeOf(SectionDef def, string? peerId = null) => def.Scope switch
    {
        ConfigScope.Cluster => Scopes.Cluster,
        ConfigScope.Peer => Scopes.Peer(peerId ?? store.PeerId),
        _ => throw new InvalidOperationException($"{def.Name} is local"),
    };

    /// <summary>
    /// A plain section's value with defaults, for this peer or another, as the model accepts it. A
    /// record that fails <see cref="RecordCheck"/> (put there by a peer or a restore; its alarm says
    /// why) reads as the last valid value this process read, else as the defaults: what the cluster,
    /// the LCD, status and the cross-peer rules go by stays what was valid.
    /// </summary>
    public JsonObject Read(string section, string? peerId = null)
    {
        var def = ConfigSchema.Get(section);
        if (def.Scope == ConfigScope.Local)
            return CheckLocal(def.Name).Value ?? def.Defaults();
        var scope = ScopeOf(def, peerId);
        return _reads.Get(StoredRecord.MakeId(scope, section, ""), () => ReadStored(def, scope));
    }

    private readonly ConfigReadCache _reads = new(store);

    private JsonObject ReadStored(SectionDef def, string scope)
    {
        var r = store.Get(scope, def.Name, "");
        if (r?.Value is null)
            return def.Defaults();
        var (value, _) = RecordCheck.Validate(r);
        if (value is not null)
        {
            _lastValid[r.Id] = (JsonObject)value.DeepClone();
            return value;
        }
        return _lastValid.TryGetValue(r.Id, out var last) ? (JsonObject)last.DeepClone() : def.Defaults();
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonObject> _lastValid = new(StringComparer.Ordinal);

    /// <summary>A local section (never replicated, but restored with a backup) through the model's check.</summary>
    public (JsonObject? Value, ValidationError? Error) CheckLocal(string section)
    {
        var raw = store.GetLocal(LocalPrefix + section);
        if (raw is null)
            return (ConfigSchema.Get(section).Defaults(), null);
        return RecordCheck.Parse(raw) is { } stored
            ? RecordCheck.Model(() => ConfigOps.Validate(section, stored).Value, section)
            : (null, new ValidationError(section, null, "is not a JSON object"));
    }

    /// <summary>The items of a collection as stored (invalid ones too, so they can be seen and removed); a value that is not an object is left out.</summary>
    public IReadOnlyList<JsonObject> Items(string section, string? peerId = null)
    {
        var def = ConfigSchema.Get(section);
        return store.List(ScopeOf(def, peerId), section).Select(r => RecordCheck.Parse(r.Value!)).OfType<JsonObject>().ToList();
    }

    public JsonObject? Item(string section, string name, string? peerId = null)
    {
        var def = ConfigSchema.Get(section);
        var r = store.Get(ScopeOf(def, peerId), section, name);
        return r?.Value is null ? null : RecordCheck.Parse(r.Value);
    }

    private string? Text(string section, string field, string? peerId = null) =>
        Read(section, peerId)[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string HostName => Text("system", "hostname") ?? "appliance";
    public string? LanAddress => Text("ipv4", "address");
    public bool AdminPasswordSet => Text("admin", "password") is not null;
    public bool SshDisabled(string? peerId = null) => Read("ssh", peerId)["enabled"] is JsonValue v && v.TryGetValue<bool>(out var on) && !on;

    /// <summary>How many times a checked change is read, checked and written again while concurrent commits keep changing what it read.</summary>
    public const int CheckedAttempts = 10;
    /// <summary>Attempts made side by side with other changes; after them a change waits its turn (<see cref="_checkedInTurn"/>).</summary>
    private const int OptimisticAttempts = 3;
    /// <summary>One change at a time among those refused <see cref="OptimisticAttempts"/> times: many clients changing one collection all get through.</summary>
    private readonly SemaphoreSlim _checkedInTurn = new(1, 1);

    /// <summary>
    /// Runs a change whose value and rules are decided from what it reads (the section's other fields,
    /// the records the rules between records look at) as a tracked read-modify-write (Store.Reads.cs):
    /// when a commit changed any of that before the change was stored, nothing of it was stored and it
    /// runs again from the start, so two concurrent changes never both pass on what neither saw of the
    /// other (one field's change undoing another's, two items taking one address). After
    /// <see cref="OptimisticAttempts"/> a change runs in turn with the others refused as often; after
    /// <see cref="CheckedAttempts"/> the <see cref="StaleReadException"/> goes to the caller.
    /// </summary>
    public async Task<T> CheckedAsync<T>(Func<Task<T>> change)
    {
        for (var attempt = 1; ; attempt++)
        {
            var inTurn = attempt > OptimisticAttempts;
            if (inTurn) await _checkedInTurn.WaitAsync();
            try
            {
                using var reads = store.TrackReads();
                return await change();
            }
            catch (StaleReadException) when (attempt < CheckedAttempts)
            {
            }
            finally
            {
                if (inTurn) _checkedInTurn.Release();
            }
        }
    }

    /// <summary><see cref="CheckedAsync{T}"/> for a change made on the caller's thread (the front panel's).</summary>
    public T Checked<T>(Func<T> change) => CheckedAsync(() => Task.FromResult(change())).GetAwaiter().GetResult();

    /// <summary>Raised after a local section changed (those never pass through a store commit).</summary>
    public event Action<string>? LocalChanged;

    /// <summary>
    /// Stores a new value (null deletes an item) that the model already validated, and writes the
    /// configuration log with secrets masked.
    /// </summary>
    public void Change(string section, string? item, JsonObject? oldValue, JsonObject? newValue, string user, string channel, string what,
        string? onBehalfOf = null) =>
        ChangeAsync(section, [new ItemChange(item, oldValue, newValue, what)], user, channel, onBehalfOf).GetAwaiter().GetResult();

    /// <summary>Several items' changes of one section in one commit (all or none), from the caller's thread.</summary>
    public void Change(string section, IReadOnlyList<ItemChange> changes, string user, string channel, string? onBehalfOf = null) =>
        ChangeAsync(section, changes, user, channel, onBehalfOf).GetAwaiter().GetResult();

    /// <summary>As above for a change an API request asked for: its user, channel and on whose behalf go into the log.</summary>
    public void Change(string section, string? item, JsonObject? oldValue, JsonObject? newValue, Api.ApiRequest r, string what) =>
        Change(section, item, oldValue, newValue, r.User, r.Channel, what, r.OnBehalfOf);

    /// <summary>
    /// Changes of one request, stored in one commit (all or none) without holding a thread while it
    /// becomes durable: API requests await this, so concurrent clients share the store's group
    /// commit instead of each blocking a pool thread until its own commit is done.
    /// </summary>
    public Task ChangeAsync(string section, IReadOnlyList<ItemChange> changes, Api.ApiRequest r) =>
        ChangeAsync(section, changes, r.User, r.Channel, r.OnBehalfOf);

    private async Task ChangeAsync(string section, IReadOnlyList<ItemChange> changes, string user, string channel, string? onBehalfOf)
    {
        var def = ConfigSchema.Get(section);
        if (def.Scope == ConfigScope.Local)
        {
            foreach (var c in changes) store.SetLocal(LocalPrefix + section, c.NewValue?.ToJsonString());
        }
        else
        {
            await store.WriteAsync(changes.Select(c => new Mutation(ScopeOf(def), section, c.Item ?? "", c.NewValue?.ToJsonString())
            {
                MustBeNew = c.OldValue is null && c.NewValue is not null && def.IsCollection,
            }).ToList());
        }
        logs.Config.Append(changes.Select(c => Entry(section, c.OldValue, c.NewValue, user, channel, c.What, onBehalfOf)).ToList());
        if (def.Scope == ConfigScope.Local) LocalChanged?.Invoke(def.Name);
    }

    public void Log(string section, JsonObject? oldValue, JsonObject? newValue, Api.ApiRequest r, string what) =>
        logs.Config.Append(Entry(section, oldValue, newValue, r.User, r.Channel, what, r.OnBehalfOf));

    private static LogEntry Entry(string section, JsonObject? oldValue, JsonObject? newValue, string user, string channel, string what, string? onBehalfOf) =>
        new()
        {
            Level = "change",
            User = user,
            OnBehalfOf = onBehalfOf,
            Channel = channel,
            Field = what,
            Old = Describe(section, oldValue),
            New = Describe(section, newValue),
            Message = $"{what} changed",
        };

    public static string Describe(string section, JsonObject? value) =>
        value is null ? "(none)" : ConfigDisplay.Display(section, value).ToJsonString();

    /// <summary>The other peers' peer-specific settings, for the cross-peer rules (R7).</summary>
    public IReadOnlyList<PeerView> OtherPeers(ClusterSettings settings, Func<string, string?> clusterAddressOf) =>
        Peers(settings, clusterAddressOf).Where(p => p.Id != store.PeerId).ToList();

    /// <summary>Every peer whose settings this one holds, itself included (the cross-record check weighs each against the rest).</summary>
    public IReadOnlyList<PeerView> Peers(ClusterSettings settings, Func<string, string?> clusterAddressOf)
    {
        var views = new List<PeerView>();
        foreach (var scope in store.PeerScopes())
        {
            if (!Scopes.IsPeer(scope, out var peerId)) continue;
            var ipv4 = Read("ipv4", peerId);
            var address = RuleContext.Text(ipv4, "address");
            var listed = clusterAddressOf(peerId) ?? address;
            var index = listed is null ? 0 : settings.Peers.ToList().IndexOf(listed) + 1;
            var locations = ValidItems("location-addresses", peerId).ToDictionary(i => i[SectionDef.NameField]!.GetValue<string>(), i => i);
            views.Add(new PeerView(index, $"peer {(index > 0 ? index : "?")}", Text("system", "hostname", peerId) ?? peerId,
                ipv4, locations) { Id = peerId, SshDisabled = SshDisabled(peerId) });
        }
        return views;
    }

    /// <summary>
    /// The records rules between records read: shared items, and the peer-specific items of
    /// <paramref name="peerId"/> (this peer by default), those that pass <see cref="RecordCheck"/>.
    /// </summary>
    public ConfigLookup Lookup(string? peerId = null) => new(section => ValidItems(section, peerId));

    private IReadOnlyList<JsonObject> ValidItems(string section, string? peerId) =>
        store.List(ScopeOf(ConfigSchema.Get(section), peerId), section).Select(r => RecordCheck.Validate(r).Value).OfType<JsonObject>().ToList();

    /// <summary>Finds a peer by host name, address or id among those whose records we hold.</summary>
    public string? FindPeer(string hostOrAddressOrId)
    {
        foreach (var scope in store.PeerScopes())
        {
            if (!Scopes.IsPeer(scope, out var id)) continue;
            if (id == hostOrAddressOrId || Text("system", "hostname", id) == hostOrAddressOrId
                || Text("ipv4", "address", id) == hostOrAddressOrId) return id;
        }
        return null;
    }
}

/// <summary>One item's change (the item null for a plain section) and how the configuration log names it.</summary>
public sealed record ItemChange(string? Item, JsonObject? OldValue, JsonObject? NewValue, string What);
