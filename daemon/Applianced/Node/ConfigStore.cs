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
    public string OwnScope => Scopes.Peer(store.PeerId);

    public string ScopeOf(SectionDef def, string? peerId = null) => def.Scope switch
    {
        ConfigScope.Cluster => Scopes.Cluster,
        ConfigScope.Peer => Scopes.Peer(peerId ?? store.PeerId),
        _ => throw new InvalidOperationException($"{def.Name} is local"),
    };

    /// <summary>A plain section's value with defaults, for this peer or another.</summary>
    public JsonObject Read(string section, string? peerId = null)
    {
        var def = ConfigSchema.Get(section);
        var raw = def.Scope == ConfigScope.Local
            ? store.GetLocal(LocalPrefix + section)
            : store.Get(ScopeOf(def, peerId), section, "")?.Value;
        return raw is null ? def.Defaults() : Merge(def.Defaults(), JsonNode.Parse(raw)!.AsObject());
    }

    public IReadOnlyList<JsonObject> Items(string section, string? peerId = null)
    {
        var def = ConfigSchema.Get(section);
        return store.List(ScopeOf(def, peerId), section).Select(r => JsonNode.Parse(r.Value!)!.AsObject()).ToList();
    }

    public JsonObject? Item(string section, string name, string? peerId = null)
    {
        var def = ConfigSchema.Get(section);
        var r = store.Get(ScopeOf(def, peerId), section, name);
        return r?.Value is null ? null : JsonNode.Parse(r.Value)!.AsObject();
    }

    public string HostName => Read("system")["hostname"]?.GetValue<string>() ?? "appliance";
    public string? LanAddress => Read("ipv4")["address"]?.GetValue<string>();

    /// <summary>
    /// Stores a new value (null deletes an item) that the model already validated, and writes the
    /// configuration log with secrets masked.
    /// </summary>
    public void Change(string section, string? item, JsonObject? oldValue, JsonObject? newValue, string user, string channel, string what,
        string? onBehalfOf = null)
    {
        var def = ConfigSchema.Get(section);
        var text = newValue?.ToJsonString();
        if (def.Scope == ConfigScope.Local) store.SetLocal(LocalPrefix + section, text);
        else store.Write([new Mutation(ScopeOf(def), section, item ?? "", text)]);
        Log(section, oldValue, newValue, user, channel, what, onBehalfOf);
    }

    /// <summary>As above for a change an API request asked for: its user, channel and on whose behalf go into the log.</summary>
    public void Change(string section, string? item, JsonObject? oldValue, JsonObject? newValue, Api.ApiRequest r, string what) =>
        Change(section, item, oldValue, newValue, r.User, r.Channel, what, r.OnBehalfOf);

    public void Log(string section, JsonObject? oldValue, JsonObject? newValue, Api.ApiRequest r, string what) =>
        Log(section, oldValue, newValue, r.User, r.Channel, what, r.OnBehalfOf);

    private void Log(string section, JsonObject? oldValue, JsonObject? newValue, string user, string channel, string what, string? onBehalfOf)
    {
        logs.Config.Append(new LogEntry
        {
            Level = "change",
            User = user,
            OnBehalfOf = onBehalfOf,
            Channel = channel,
            Field = what,
            Old = Describe(section, oldValue),
            New = Describe(section, newValue),
            Message = $"{what} changed",
        });
    }

    public static string Describe(string section, JsonObject? value) =>
        value is null ? "(none)" : ConfigDisplay.Display(section, value).ToJsonString();

    /// <summary>The other peers' peer-specific settings, for the cross-peer rules (R7).</summary>
    public IReadOnlyList<PeerView> OtherPeers(ClusterSettings settings, Func<string, string?> clusterAddressOf)
    {
        var views = new List<PeerView>();
        foreach (var scope in store.PeerScopes())
        {
            if (!Scopes.IsPeer(scope, out var peerId) || peerId == store.PeerId) continue;
            var ipv4 = Read("ipv4", peerId);
            var address = ipv4["address"]?.GetValue<string>();
            var listed = clusterAddressOf(peerId) ?? address;
            var index = listed is null ? 0 : settings.Peers.ToList().IndexOf(listed) + 1;
            var locations = Items("location-addresses", peerId)
                .ToDictionary(i => i[SectionDef.NameField]!.GetValue<string>(), i => i);
            views.Add(new PeerView(index, $"peer {(index > 0 ? index : "?")}", Read("system", peerId)["hostname"]?.GetValue<string>() ?? peerId,
                ipv4, locations));
        }
        return views;
    }

    /// <summary>Finds a peer by host name, address or id among those whose records we hold.</summary>
    public string? FindPeer(string hostOrAddressOrId)
    {
        foreach (var scope in store.PeerScopes())
        {
            if (!Scopes.IsPeer(scope, out var id)) continue;
            if (id == hostOrAddressOrId || Read("system", id)["hostname"]?.GetValue<string>() == hostOrAddressOrId
                || Read("ipv4", id)["address"]?.GetValue<string>() == hostOrAddressOrId) return id;
        }
        return null;
    }

    private static JsonObject Merge(JsonObject defaults, JsonObject stored)
    {
        foreach (var (k, v) in stored) defaults[k] = v?.DeepClone();
        return defaults;
    }
}
