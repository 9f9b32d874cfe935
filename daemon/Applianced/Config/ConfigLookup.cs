using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// The other records a rule between records reads: shared items (a conference's bridge and
/// template, the locations) and one peer's own items (its other location addresses), each
/// section's items as stored. Built on demand, so a change that needs none of them reads nothing.
/// </summary>
public sealed class ConfigLookup(Func<string, IReadOnlyList<JsonObject>> items)
{
    /// <summary>Every item of a collection (the peer's own for a peer-specific section).</summary>
    public IReadOnlyList<JsonObject> Items(string section) => items(section);

    public JsonObject? Item(string section, string name) =>
        Items(section).FirstOrDefault(i => RuleContext.Text(i, SectionDef.NameField) == name);

    /// <summary>
    /// This lookup with <paramref name="pending"/> (a list the caller goes on filling) among the items
    /// of <paramref name="section"/>: a batch's later items are checked against its earlier ones as if
    /// those were stored already, as they would be when added one by one.
    /// </summary>
    public ConfigLookup With(string section, IReadOnlyList<JsonObject> pending) =>
        new(s => s != section || pending.Count == 0 ? items(s) : [.. items(s), .. pending]);

    /// <summary>The same lookup reading each section once: a check over many records asks for the same ones again and again.</summary>
    public ConfigLookup Cached()
    {
        var read = new Dictionary<string, IReadOnlyList<JsonObject>>(StringComparer.Ordinal);
        return new ConfigLookup(section => read.TryGetValue(section, out var list) ? list : read[section] = items(section));
    }
}
