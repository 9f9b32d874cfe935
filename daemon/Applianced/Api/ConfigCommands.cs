using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>config.*: every change is validated by the model before it is stored (DESIGN.md section 6).</summary>
internal sealed partial class ConfigCommands(ConfigStore config, Func<ConfigContext> context, ClusterCommands cluster, NetworkWindow network)
{
    public void Register(ApiRouter router) => router
        .Add("config.sections", _ => ConfigSchema.Describe())
        .Add("config.show", Show)
        .Add("config.get", Get)
        .Add("config.set", (r, _) => config.CheckedAsync(() => SetAsync(r)))
        .Add("config.unset", (r, _) => config.CheckedAsync(() => UnsetAsync(r)))
        .Add("config.add", (r, _) => config.CheckedAsync<JsonNode?>(async () => await AddAsync(r)))
        .Add("config.update", (r, _) => config.CheckedAsync<JsonNode?>(async () => await UpdateAsync(r)))
        .Add("config.remove", (r, _) => config.CheckedAsync<JsonNode?>(async () => await DeleteAsync(r.RequiredString("section"), r.RequiredString("name"), r)))
        // Nothing waiting is no error: a script confirms after its changes whichever channel made them.
        .Add("config.confirm", r => network.Confirm(r.Who, r.Channel)
            ? new JsonObject { ["confirmed"] = true, ["message"] = "network change confirmed: it stays" }
            : new JsonObject { ["confirmed"] = false, ["message"] = "no network change was waiting to be confirmed" });

    private JsonNode Show(ApiRequest r)
    {
        var name = r.OptionalString("section");
        var peer = r.OptionalString("peer");
        var peerId = peer is null ? null : config.FindPeer(peer) ?? throw new ApiException(ApiException.NotFound, $"no peer '{peer}' is known here", "peer", peer);
        var defs = name is null ? ConfigSchema.All : [ConfigSchema.Get(name)];
        var sections = new JsonArray();
        foreach (var def in defs)
        {
            if ((peerId is not null && def.Scope != ConfigScope.Peer) || (name is null && def.Observed)) continue;
            var entry = new JsonObject { ["section"] = def.Name, ["scope"] = def.Scope.ToString().ToLowerInvariant() };
            if (peerId is not null) entry["peer"] = peer;
            if (def.Name == "cluster") entry["values"] = cluster.ShowValues();
            else if (def.IsCollection) entry["items"] = new JsonArray(config.Items(def.Name, peerId).Select(i => (JsonNode)ConfigDisplay.Display(def.Name, i)).ToArray());
            else entry["values"] = ConfigDisplay.Display(def.Name, config.Read(def.Name, peerId));
            sections.Add(entry);
        }
        return new JsonObject { ["sections"] = sections };
    }

    private JsonNode Get(ApiRequest r)
    {
        var path = ConfigPath.Parse(r.RequiredString("path"));
        var section = path.Section.Name;
        if (section == "cluster")
            return new JsonObject { ["path"] = path.ToString(), ["value"] = path.Field is null ? cluster.ShowValues() : cluster.ShowValues()[path.Field]?.DeepClone() };
        var value = path.Section.IsCollection
            ? path.Item is null ? null : config.Item(section, path.Item) ?? throw NotFound(path)
            : config.Read(section);
        JsonNode? shown = path.Section.IsCollection && path.Item is null
            ? new JsonArray(config.Items(section).Select(i => (JsonNode)ConfigDisplay.Display(section, i)).ToArray())
            : path.Field is null ? ConfigDisplay.Display(section, value) : ConfigDisplay.DisplayField(section, value, path.Field);
        return new JsonObject { ["path"] = path.ToString(), ["value"] = shown };
    }

    private async Task<JsonNode?> SetAsync(ApiRequest r)
    {
        var path = ConfigPath.Parse(r.RequiredString("path"));
        var values = r.StringList("values");
        if (path.Section.Name == "cluster") return await cluster.SetFieldAsync(path.Field, values, r);
        if (path.Field is null) throw ApiException.BadArgs($"'{path}' names no field: use SECTION.FIELD (or SECTION.ITEM.FIELD)");
        Writable(path.Section);
        var section = path.Section.Name;
        var current = path.Section.IsCollection ? config.Item(section, path.Item!) ?? throw NotFound(path) : config.Read(section);
        var result = ConfigOps.Set(section, current, path.Field, values, context());
        return await ApplyAsync(path, current, result, r);
    }

    private async Task<JsonNode?> UnsetAsync(ApiRequest r)
    {
        var path = ConfigPath.Parse(r.RequiredString("path"));
        var section = path.Section.Name;
        if (section == "cluster") return await cluster.SetFieldAsync(path.Field, [], r);
        Writable(path.Section);
        if (path.Section.IsCollection && path.Item is not null && path.Field is null) return await DeleteAsync(section, path.Item, r);
        if (path.Field is null) throw ApiException.BadArgs($"'{path}' names no field: use SECTION.FIELD");
        var current = path.Section.IsCollection ? config.Item(section, path.Item!) ?? throw NotFound(path) : config.Read(section);
        return await ApplyAsync(path, current, ConfigOps.Unset(section, current, path.Field, context()), r);
    }

    private async Task<JsonNode> AddAsync(ApiRequest r)
    {
        var section = r.RequiredString("section");
        if (!Writable(ConfigSchema.Get(section)).IsCollection)
            throw ApiException.BadArgs($"{section} is not a collection, so nothing can be added to it; set its fields with config set {section}.FIELD");
        if (r.Args["items"] is not null) return await AddItemsAsync(section, r);
        var name = r.RequiredString("name");
        var result = NewItem(section, name, r.Args["fields"], "fields", context());
        await AddedAsync(section, [new ItemChange(name, null, result.Value, $"{section}.{name}")], r);
        return new JsonObject { ["section"] = section, ["name"] = name, ["warnings"] = Warnings(result) };
    }

    /// <summary>A new item's validated value (whether its name is taken, the commit checks: <see cref="AddedAsync"/>).</summary>
    private static ConfigResult NewItem(string section, string name, JsonNode? fieldsArg, string fieldsName, ConfigContext ctx)
    {
        if (fieldsArg is not (null or JsonObject))
            throw new ApiException(ApiException.Usage, $"'{fieldsName}' must be an object of field names to values", fieldsName, fieldsArg.ToJsonString());
        var fields = (fieldsArg as JsonObject ?? [])
            .ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value?.ToJsonString() ?? "");
        return ConfigOps.CreateItem(section, name, fields, ctx);
    }

    /// <summary>Stores new items; one whose name is taken refuses them all, as a conflict naming it.</summary>
    private async Task AddedAsync(string section, IReadOnlyList<ItemChange> items, ApiRequest r)
    {
        try
        {
            await config.ChangeAsync(section, items, r);
        }
        catch (Store.RecordExistsException e)
        {
            var name = e.Mutation.Key;
            throw new ApiException(ApiException.Conflict, $"{section} already has an item '{name}'; change it with config set {section}.{name}.FIELD", section, name, "must be new");
        }
    }

    private async Task<JsonObject> DeleteAsync(string section, string name, ApiRequest r)
    {
        var def = Writable(ConfigSchema.Get(section));
        if (!def.IsCollection) throw ApiException.BadArgs($"{section} is not a collection; use config unset {section}.FIELD");
        var current = config.Item(section, name) ?? throw new ApiException(ApiException.NotFound, $"{section} has no item '{name}'", section, name);
        ReferenceRules.CheckRemove(def.Name, name, context());
        await config.ChangeAsync(section, [new ItemChange(name, current, null, $"{section}.{name}")], r);
        return new JsonObject { ["section"] = section, ["name"] = name, ["removed"] = true };
    }

    private async Task<JsonObject> ApplyAsync(ConfigPath path, JsonObject current, ConfigResult result, ApiRequest r)
    {
        var section = path.Section.Name;
        var warnings = Warnings(result);
        DateTimeOffset? confirmBy = null;
        // A change that can cut this session off waits for `config confirm` (NetworkWindow); one that changes nothing opens no window.
        if (NetworkWindow.Guards(section, path.Field, r.Channel) && !JsonNode.DeepEquals(current[path.Field!], result.Value[path.Field!]))
        {
            confirmBy = network.Open(path.ToString(), r.Who, r.Channel);
            warnings.Add($"applied for {network.Length.TotalSeconds:0} s: run `config confirm` before {NetworkWindow.Text(confirmBy.Value)} to keep it, "
                + "or the previous network settings come back by themselves");
        }
        await config.ChangeAsync(section, [new ItemChange(path.Item, current, result.Value, path.ToString())], r);
        var answer = new JsonObject
        {
            ["path"] = path.ToString(),
            ["old"] = ConfigDisplay.DisplayField(section, current, path.Field!),
            ["new"] = ConfigDisplay.DisplayField(section, result.Value, path.Field!),
            ["warnings"] = warnings,
        };
        if (confirmBy is { } deadline) answer["confirmBy"] = NetworkWindow.Text(deadline);
        return answer;
    }

    /// <summary>The section, unless its own commands must change it (their rules span its items).</summary>
    private static SectionDef Writable(SectionDef def) =>
        def.Observed ? throw ApiException.BadArgs($"{def.Name} is written by each peer from what it observes (see `{def.ManagedBy} status`), not with config")
        : def.ManagedBy is { } group ? throw ApiException.BadArgs($"{def.Name} is changed with the {group} commands (see `help {group}`), not with config")
        : def;

    private static JsonArray Warnings(ConfigResult result) => new(result.Warnings.Select(w => (JsonNode)w).ToArray());

    private static ApiException NotFound(ConfigPath path) =>
        new(ApiException.NotFound, $"{path.Section.Name} has no item '{path.Item}'; add it with config add {path.Section.Name} {path.Item} FIELD=VALUE...", path.Section.Name, path.Item);
}
