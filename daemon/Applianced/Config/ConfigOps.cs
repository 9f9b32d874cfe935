using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// Turns requests into new section values. Every operation returns a fresh, fully validated value
/// (all fields present, defaults filled in) and never mutates its input; a refused change throws
/// <see cref="ConfigValidationException"/>. For a collection, "current" is one item's value.
/// </summary>
public static class ConfigOps
{
    /// <summary>The value of a fresh appliance (plain section) or a new item's defaults (collection).</summary>
    public static JsonObject Defaults(string section) => ConfigSchema.Get(section).Defaults();

    /// <summary>config.set: one field; lists take several values ("dns.servers 198.18.0.53 198.18.0.54").</summary>
    public static ConfigResult Set(string section, JsonObject? current, string field, IReadOnlyList<string> values,
        ConfigContext? context = null) =>
        SetFields(section, current, new Dictionary<string, IReadOnlyList<string>> { [field] = values }, context);

    /// <summary>
    /// Several fields at once, validated together: moving ipv4 to another subnet needs address, mask
    /// and gateway to change in one step (the LCD's LAN menu does this).
    /// </summary>
    public static ConfigResult SetFields(string section, JsonObject? current,
        IReadOnlyDictionary<string, IReadOnlyList<string>> fields, ConfigContext? context = null)
    {
        var def = ConfigSchema.Get(section);
        var ctx = context ?? ConfigContext.Default;
        var item = ItemOf(def, current);
        var value = Normalize(def, current);
        foreach (var (name, values) in fields)
        {
            var f = WritableField(def, item, name);
            value[f.Name] = f.Parse(values, def.PathOf(item, f.Name), ctx);
        }
        return Finish(def, item, current, value, ctx);
    }

    /// <summary>config.unset of a field: back to its default.</summary>
    public static ConfigResult Unset(string section, JsonObject? current, string field, ConfigContext? context = null)
    {
        var def = ConfigSchema.Get(section);
        var item = ItemOf(def, current);
        var f = WritableField(def, item, field);
        var value = Normalize(def, current);
        value[f.Name] = f.DefaultValue();
        return Finish(def, item, current, value, context ?? ConfigContext.Default);
    }

    /// <summary>config.add: a new collection item; list fields take comma-separated values.</summary>
    public static ConfigResult CreateItem(string section, string name, IDictionary<string, string> fields,
        ConfigContext? context = null)
    {
        var def = ConfigSchema.Get(section);
        if (!def.IsCollection)
            throw FieldValues.Fail(def.Name, name, $"cannot be added: {def.Name} is not a collection; use config.set");
        if (!ItemNames.IsValid(name))
            throw FieldValues.Fail(def.PathOf(null, SectionDef.NameField), name, ItemNames.Rule);
        var ctx = context ?? ConfigContext.Default;
        var value = def.Defaults();
        value[SectionDef.NameField] = name;
        foreach (var (fieldName, text) in fields)
        {
            var f = WritableField(def, name, fieldName);
            value[f.Name] = f.Parse([text], def.PathOf(name, f.Name), ctx);
        }
        return Finish(def, name, null, value, ctx);
    }

    /// <summary>
    /// Checks a whole stored value (or item) as it arrives from a peer, a restore or the store at
    /// start: types, syntax, required fields and section rules. Returns it with defaults filled in.
    /// </summary>
    public static ConfigResult Validate(string section, JsonObject value, ConfigContext? context = null)
    {
        var def = ConfigSchema.Get(section);
        var item = def.IsCollection ? RuleContext.Text(value, SectionDef.NameField) : null;
        if (def.IsCollection && !ItemNames.IsValid(item))
            throw FieldValues.Fail(def.PathOf(null, SectionDef.NameField), item, ItemNames.Rule);
        return Finish(def, item, null, Normalize(def, value), context ?? ConfigContext.Default);
    }

    private static ConfigResult Finish(SectionDef def, string? item, JsonObject? old, JsonObject value, ConfigContext ctx)
    {
        foreach (var (name, node) in value)
            def.GetField(name, item).Check(node, def.PathOf(item, name), ctx);
        foreach (var f in def.Fields.Where(f => f.Required))
        {
            if (value[f.Name] is null || (value[f.Name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0))
                throw FieldValues.Fail(def.PathOf(item, f.Name), null, "is required");
        }
        var warnings = new List<string>();
        def.Validate?.Invoke(value, new RuleContext(def, item, ctx, warnings));
        if (def.Name == "ipv4")
        {
            CrossPeerRules.ValidateIpv4Change(old, value, ctx.IsClustered);
            CrossPeerRules.CheckIpv4(value, ctx);
        }
        else if (def.Name == "location-addresses" && item is not null)
        {
            CrossPeerRules.CheckLocation(item, value, ctx);
        }
        return new ConfigResult(value, warnings);
    }

    private static string? ItemOf(SectionDef def, JsonObject? current)
    {
        if (!def.IsCollection)
            return null;
        return current is null ? throw FieldValues.Fail(def.Name, null, "is a collection: name an existing item, or add one with config.add")
            : RuleContext.Text(current, SectionDef.NameField);
    }

    private static FieldDef WritableField(SectionDef def, string? item, string name)
    {
        var f = def.GetField(name, item);
        if (def.IsCollection && f.Name == SectionDef.NameField)
            throw FieldValues.Fail(def.PathOf(item, f.Name), item, "cannot be changed; remove the item and add it again");
        return f;
    }

    /// <summary>A deep copy holding every schema field (missing ones at their default) plus any unknown ones, which Finish then refuses.</summary>
    private static JsonObject Normalize(SectionDef def, JsonObject? current)
    {
        var value = def.Defaults();
        if (current is null)
            return value;
        foreach (var (name, node) in current)
        {
            var key = def.FindField(name)?.Name ?? name;
            value[key] = node?.DeepClone();
        }
        return value;
    }
}
