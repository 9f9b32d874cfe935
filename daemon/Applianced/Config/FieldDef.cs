using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>One field of a section: its syntax, default and limits.</summary>
public sealed class FieldDef(string name, FieldKind kind)
{
    public string Name { get; } = name;
    public FieldKind Kind { get; } = kind;

    /// <summary>The value of a fresh appliance (null: "not set"; lists default to []).</summary>
    public JsonNode? Default { get; init; }

    /// <summary>A collection item cannot be created or left without it.</summary>
    public bool Required { get; init; }

    /// <summary>Most entries a list may hold.</summary>
    public int MaxCount { get; init; } = 16;

    public int Min { get; init; } = int.MinValue;
    public int Max { get; init; } = int.MaxValue;

    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Longest accepted String/Secret value.</summary>
    public int MaxLength { get; init; } = 256;

    /// <summary>One line for help and completion.</summary>
    public string Help { get; init; } = "";

    public bool IsList => Kind is FieldKind.HostList or FieldKind.Ipv4List or FieldKind.SyslogList or FieldKind.TokenList;

    public bool IsSecret => Kind is FieldKind.Secret or FieldKind.HashedSecret;

    public JsonNode? DefaultValue() => IsList ? Default?.DeepClone() ?? new JsonArray() : Default?.DeepClone();

    /// <summary>Turns operator input (CLI words, LCD entry) into the stored JSON value.</summary>
    public JsonNode? Parse(IReadOnlyList<string> values, string path, ConfigContext context) =>
        FieldValues.Parse(this, values, path, context);

    /// <summary>Checks an already stored value (a whole section arriving from a peer or a restore).</summary>
    public void Check(JsonNode? value, string path, ConfigContext context) =>
        FieldValues.Check(this, value, path, context);
}
