using System.Text.Json.Nodes;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Api;

/// <summary>
/// config.add with `items`: many new items of one collection in one request, validated one by one
/// (each against the store and the items before it) and stored in one commit, all or none (a script loading hundreds of items pays one round trip
/// and one durable commit instead of one each).
/// </summary>
internal sealed partial class ConfigCommands
{
    /// <summary>The most items one request adds: a bound on one commit and on the answer's size.</summary>
    public const int MaxItemsPerAdd = 1000;

    private async Task<JsonNode> AddItemsAsync(string section, ApiRequest r)
    {
        if (r.Args["name"] is not null || r.Args["fields"] is not null)
            throw ApiException.BadArgs("config.add takes either name and fields (one item) or items (several), not both");
        if (r.Args["items"] is not JsonArray items || items.Count is 0 or > MaxItemsPerAdd)
            throw new ApiException(ApiException.Usage, $"'items' must be a list of 1 to {MaxItemsPerAdd} objects {{name, fields}}", "items",
                r.Args["items"] is JsonArray a ? $"{a.Count} items" : r.Args["items"]!.ToJsonString(), $"1-{MaxItemsPerAdd} items");
        // Each item is checked against the store and the items before it (two of them taking one
        // address must be refused here as they would be one by one, not stored and only alarmed on).
        // The store is read once per section for the whole request, not once per item (Cached first:
        // With must add to what it reads, not be frozen in it).
        var added = new List<JsonObject>(items.Count);
        var stored = context();
        var ctx = stored.Lookup is { } lookup ? stored with { Lookup = lookup.Cached().With(section, added) } : stored;
        var changes = new List<ItemChange>(items.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var warnings = new JsonArray();
        for (var i = 0; i < items.Count; i++)
        {
            var at = $"items[{i}]";
            if (items[i] is not JsonObject item || item["name"] is not JsonValue nameValue || !nameValue.TryGetValue<string>(out var name))
                throw new ApiException(ApiException.Usage, $"{at} must be an object with a string 'name' and an object 'fields'", $"{at}.name", items[i]?.ToJsonString());
            if (!names.Add(name))
                throw new ApiException(ApiException.Conflict, $"{at}: '{name}' appears twice in items; each item is added once", $"{at}.name", name, "must be new");
            var result = NewItem(section, name, item["fields"], $"{at}.fields", ctx);
            changes.Add(new ItemChange(name, null, result.Value, $"{section}.{name}"));
            added.Add(result.Value);
            foreach (var w in Warnings(result)) warnings.Add($"{name}: {w}");
        }
        await AddedAsync(section, changes, r);
        return new JsonObject { ["section"] = section, ["added"] = items.Count, ["warnings"] = warnings };
    }
}
