using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// What config.show / config.get return: every field, secrets only as "set" / "not set", text with
/// any character <see cref="TextRules"/> refuses escaped (an item a peer planted is shown, not obeyed).
/// </summary>
public static class ConfigDisplay
{
    public const string Set = "set";
    public const string NotSet = "not set";

    /// <summary>A copy of the value (defaults filled in for missing fields) with every secret masked.</summary>
    public static JsonObject Display(string section, JsonObject? value)
    {
        var def = ConfigSchema.Get(section);
        var shown = def.Defaults();
        if (value is not null)
        {
            foreach (var (name, node) in value)
            {
                if (def.FindField(name) is { } f)
                    shown[f.Name] = Escaped(node);
            }
        }
        foreach (var f in def.Fields.Where(f => f.IsSecret))
            shown[f.Name] = Mask(shown[f.Name]);
        return shown;
    }

    /// <summary>One field for config.get, masked like <see cref="Display"/>.</summary>
    public static JsonNode? DisplayField(string section, JsonObject? value, string field)
    {
        var def = ConfigSchema.Get(section);
        var item = def.IsCollection && value is not null ? RuleContext.Text(value, SectionDef.NameField) : null;
        var f = def.GetField(field, item);
        return Display(section, value)[f.Name]?.DeepClone();
    }

    private static JsonNode? Escaped(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => TextRules.Escape(text),
        JsonArray a => new JsonArray(a.Select(Escaped).ToArray()),
        _ => node?.DeepClone(),
    };

    private static string Mask(JsonNode? secret) =>
        secret is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? Set : NotSet;
}
