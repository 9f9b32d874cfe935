using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>One section as `config.sections` describes it.</summary>
internal sealed record SectionInfo(string Name, bool Collection, IReadOnlyList<string> Fields, IReadOnlyList<string> Secrets)
{
    /// <summary>The section's help line and its fields as the daemon describes them (help, completion).</summary>
    public string Help { get; init; } = "";
    public IReadOnlyList<JsonObject> Details { get; init; } = [];

    /// <summary>The description of <paramref name="field"/> (any case), or null.</summary>
    public JsonObject? Detail(string field) =>
        Details.FirstOrDefault(d => string.Equals(SectionCatalog.Text(d["name"]), field, StringComparison.OrdinalIgnoreCase));

    /// <summary>The secret field spelled <paramref name="field"/> (any case, as the daemon matches it), or null.</summary>
    public string? Secret(string field) => Secrets.FirstOrDefault(s => s.Equals(field, StringComparison.OrdinalIgnoreCase));

    /// <summary>"snmp.community" for a plain section, "bridges.b1.password" for an item.</summary>
    public string PathOf(string? item, string field) => item is null ? $"{Name}.{field}" : $"{Name}.{item}.{field}";
}

/// <summary>The daemon's configuration sections (`config.sections`): names for completion, and which
/// fields are secret, so that the CLI never takes one from its command line. The daemon is asked rather
/// than a list kept here, so a secret field added to the schema is protected without a CLI change.</summary>
internal sealed class SectionCatalog(IReadOnlyList<SectionInfo> sections)
{
    public IReadOnlyList<SectionInfo> Sections => sections;

    /// <summary>The catalog in a config.sections result, or null when there is none or it does not say
    /// which fields are secret (an answer that cannot protect a secret is no answer).</summary>
    public static SectionCatalog? From(JsonObject? result)
    {
        if (result?["sections"] is not JsonArray array)
            return null;
        var list = new List<SectionInfo>();
        foreach (var s in array.OfType<JsonObject>())
        {
            if (Text(s["name"]) is not { } name || s["secrets"] is not JsonArray secrets)
                return null;
            var collection = s["collection"] is JsonValue c && c.TryGetValue(out bool isCollection) && isCollection;
            list.Add(new SectionInfo(name, collection, Texts(s["fields"]), Texts(secrets))
            {
                Help = Text(s["help"]) ?? "",
                Details = s["details"] is JsonArray details ? [.. details.OfType<JsonObject>()] : [],
            });
        }
        return new SectionCatalog(list);
    }

    public SectionInfo? Find(string name) => sections.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The secret field that a SECTION.FIELD or SECTION.ITEM.FIELD path names (also when a value was
    /// glued on as PATH=VALUE), as its canonical path; null when it names none. Paths resolve as the
    /// daemon's ConfigPath does: sections and fields in any case, in a collection the last segment.
    /// </summary>
    public string? SecretPath(string word)
    {
        var path = word.Split('=', 2)[0];
        var dot = path.IndexOf('.');
        if (dot <= 0 || Find(path[..dot]) is not { } section)
            return null;
        var rest = path[(dot + 1)..];
        if (!section.Collection)
            return section.Secret(rest) is { } field ? section.PathOf(null, field) : null;
        var last = rest.LastIndexOf('.');
        return last > 0 && section.Secret(rest[(last + 1)..]) is { } itemField ? section.PathOf(rest[..last], itemField) : null;
    }

    private static List<string> Texts(JsonNode? node) =>
        node is JsonArray a ? a.Select(Text).OfType<string>().ToList() : [];

    internal static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : null;
}
