using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// Every configuration section, by the name the CLI, API and LCD all use. Definitions live in
/// ConfigSchema.Peer.cs (peer-specific, R6), ConfigSchema.Shared.cs (cluster-wide),
/// ConfigSchema.Status.cs (what the daemon observes and shares) and ConfigSchema.Local.cs (never replicated).
/// </summary>
public static partial class ConfigSchema
{
    private static readonly Lazy<IReadOnlyList<SectionDef>> Sections = new(() =>
        [.. PeerSections(), .. SharedSections(), .. StatusSections(), .. LocalSections()]);

    /// <summary>All sections: peer-specific first, then shared, then local.</summary>
    public static IReadOnlyList<SectionDef> All => Sections.Value;

    /// <summary>By name, case aside: every record stored, sent or checked looks its section up (several times).</summary>
    private static readonly Lazy<FrozenDictionary<string, SectionDef>> ByName = new(() =>
        All.ToFrozenDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase));

    public static bool TryGet(string name, out SectionDef section) => ByName.Value.TryGetValue(name, out section!);

    /// <summary>The section, or a validation error listing the valid section names.</summary>
    public static SectionDef Get(string name) =>
        TryGet(name, out var section) ? section
            : throw FieldValues.Fail("section", name,
                $"is not a configuration section; valid sections: {string.Join(", ", All.Select(s => s.Name))}");

    /// <summary>The result of the API's config.sections command. "secrets" names the fields whose values
    /// are never shown: the CLI reads those from a prompt or stdin, never from its command line.
    /// "details" describes each field for help and completion (<see cref="FieldDescription"/>).</summary>
    public static JsonObject Describe()
    {
        var sections = new JsonArray();
        foreach (var s in All)
        {
            sections.Add(new JsonObject
            {
                ["name"] = s.Name,
                ["scope"] = s.Scope.ToString().ToLowerInvariant(),
                ["collection"] = s.IsCollection,
                ["help"] = s.Help,
                ["fields"] = new JsonArray([.. s.Fields.Select(f => (JsonNode)f.Name)]),
                ["secrets"] = new JsonArray([.. s.Fields.Where(f => f.IsSecret).Select(f => (JsonNode)f.Name)]),
                ["details"] = new JsonArray([.. s.Fields.Select(f => (JsonNode)FieldDescription.Describe(f))]),
            });
        }
        return new JsonObject { ["sections"] = sections };
    }

    private static FieldDef Name() => new(SectionDef.NameField, FieldKind.Token) { Required = true, Help = "item name" };

    private static FieldDef Enabled(bool on) => new("enabled", FieldKind.Bool) { Default = on, Required = true };
}
