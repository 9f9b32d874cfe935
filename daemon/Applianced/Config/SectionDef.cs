using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>A section-level rule (fields that depend on each other); throws via <see cref="RuleContext.Fail"/>.</summary>
public delegate void SectionRule(JsonObject value, RuleContext rule);

/// <summary>
/// One configuration section. A plain section is one JsonObject holding every field; a collection
/// is a set of items, each a JsonObject keyed by (and holding) its "name".
/// </summary>
public sealed class SectionDef
{
    public const string NameField = "name";

    public SectionDef(string name, ConfigScope scope, bool isCollection, IReadOnlyList<FieldDef> fields)
    {
        if (isCollection && (fields.Count == 0 || fields[0].Name != NameField))
            throw new ArgumentException($"collection {name} must start with a '{NameField}' field", nameof(fields));
        Name = name;
        Scope = scope;
        IsCollection = isCollection;
        Fields = fields;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
    }

    // Every check of a value looks up each of its fields by name (on every API write and every replicated record).
    private readonly Dictionary<string, FieldDef> _byName;

    public string Name { get; }
    public ConfigScope Scope { get; }
    public bool IsCollection { get; }
    public IReadOnlyList<FieldDef> Fields { get; }
    public string Help { get; init; } = "";

    /// <summary>
    /// Status data rather than configuration (conference status, R8): it changes many times a second
    /// under load, so what peers replicate of it stays out of the configuration log.
    /// </summary>
    public bool IsStatus { get; init; }

    /// <summary>
    /// Written by each peer from what it observes (bridge-status), never by an operator: config
    /// commands refuse to change it, and `config show` lists it only when it is named (the command
    /// group <see cref="ManagedBy"/> shows it), so the configuration shown does not move by itself.
    /// </summary>
    public bool Observed { get; init; }

    /// <summary>
    /// The CLI command group that changes this section when config.add/set/unset/remove may not
    /// (its rules span items: ssh-keys refuses a duplicate key and the removal of the last way in).
    /// </summary>
    public string? ManagedBy { get; init; }

    /// <summary>Checks across fields, run after every field passed its own check.</summary>
    public SectionRule? Validate { get; init; }

    public FieldDef? FindField(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The field, or a validation error naming the valid fields.</summary>
    public FieldDef GetField(string name, string? item = null) =>
        FindField(name) ?? throw FieldValues.Fail(PathOf(item, name), name,
            $"is not a field of {Name}; valid fields: {string.Join(", ", Fields.Select(f => f.Name))}");

    /// <summary>"ipv4.gateway" for a plain section, "bridges.b1.port" for an item.</summary>
    public string PathOf(string? item, string field) => item is null ? $"{Name}.{field}" : $"{Name}.{item}.{field}";

    /// <summary>The value of a fresh appliance (plain section) or of a new item before its fields are given.</summary>
    public JsonObject Defaults()
    {
        var value = new JsonObject();
        foreach (var f in Fields)
            value[f.Name] = f.DefaultValue();
        return value;
    }
}

/// <summary>What a <see cref="SectionRule"/> sees besides the value: where it is, the context, the warning sink.</summary>
public sealed class RuleContext
{
    private readonly List<string> _warnings;

    internal RuleContext(SectionDef section, string? item, ConfigContext config, List<string> warnings)
    {
        Section = section;
        Item = item;
        Config = config;
        _warnings = warnings;
    }

    public SectionDef Section { get; }
    public string? Item { get; }
    public ConfigContext Config { get; }

    public ConfigValidationException Fail(string field, string? value, string rule) =>
        FieldValues.Fail(Section.PathOf(Item, field), value, rule);

    public void Warn(string text) => _warnings.Add(text);

    public static string? Text(JsonObject value, string field) =>
        value[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static IEnumerable<string> List(JsonObject value, string field) =>
        value[field] is JsonArray a ? a.Select(e => e!.GetValue<string>()) : [];
}
