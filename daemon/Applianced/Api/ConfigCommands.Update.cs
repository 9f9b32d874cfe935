using System.Text.Json.Nodes;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// config.update: several fields of one item (or one plain section) changed together, validated as
/// one value and stored in one commit, or not at all. A form that edits a whole item (the HTTPS
/// pages) must not leave it half changed when its third field is refused.
/// </summary>
internal sealed partial class ConfigCommands
{
    private async Task<JsonNode> UpdateAsync(ApiRequest r)
    {
        var def = Writable(ConfigSchema.Get(r.RequiredString("section")));
        if (def.Name == "cluster") throw ApiException.BadArgs("the cluster settings are changed with cluster.setKey / cluster.setPeers");
        var name = r.OptionalString("name");
        if (def.IsCollection != name is not null)
            throw ApiException.BadArgs(def.IsCollection ? $"'config.update' of {def.Name} needs the item's 'name'" : $"{def.Name} is not a collection: give no 'name'");
        if (r.Args["fields"] is not JsonObject given || given.Count == 0)
            throw new ApiException(ApiException.Usage, "'fields' must be an object of field names to a list of values ([] sets the default)", "fields");
        var fields = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (field, node) in given)
        {
            // The confirm window works per field through config.set: a change that can cut the session off goes there.
            if (NetworkWindow.Guards(def.Name, field, r.Channel))
                throw ApiException.BadArgs($"{def.Name}.{field} is changed with config.set, which keeps the network change only once confirmed");
            fields[field] = node is JsonArray list
                ? list.Select(v => v is JsonValue s && s.TryGetValue<string>(out var t) ? t : throw ApiException.BadArgs($"'fields.{field}' must be a list of strings")).ToList()
                : throw ApiException.BadArgs($"'fields.{field}' must be a list of strings");
        }
        var current = def.IsCollection
            ? config.Item(def.Name, name!) ?? throw new ApiException(ApiException.NotFound, $"{def.Name} has no item '{name}'", def.Name, name)
            : config.Read(def.Name);
        var result = ConfigOps.SetFields(def.Name, current, fields, context());
        var path = def.IsCollection ? $"{def.Name}.{name}" : def.Name;
        await config.ChangeAsync(def.Name, [new ItemChange(name, current, result.Value, path)], r);
        return new JsonObject { ["path"] = path, ["new"] = ConfigDisplay.Display(def.Name, result.Value), ["warnings"] = Warnings(result) };
    }
}
