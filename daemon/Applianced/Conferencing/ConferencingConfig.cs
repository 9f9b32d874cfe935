using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Conferencing;

/// <summary>A conference-aliases item with its pattern compiled.</summary>
public sealed record AliasRule(string Name, Regex Pattern, string Conference, string Role, int Priority, string Template);

/// <summary>What placement needs of a templates item.</summary>
public sealed record TemplateLimits(string Name, string? Preference, int? MaxParticipants, int? MaxConferences, int LingerSeconds, string Licence);

public sealed record BridgePool(string Name, IReadOnlyList<string> Bridges, string? Location);

public sealed record ServicePreference(string Name, IReadOnlyList<string> Pools);

/// <summary>
/// The conferencing configuration as placement reads it: aliases in the order they are tried
/// (priority, then name, so every peer tries them in the same order), and the chain from a template
/// to its bridges. Built from the stored records; one whose pattern does not compile (it came from
/// a peer that accepted what this one refuses, and has its alarm) is left out.
/// </summary>
public sealed class ConferencingConfig
{
    public required IReadOnlyList<AliasRule> Aliases { get; init; }
    public required IReadOnlyDictionary<string, TemplateLimits> Templates { get; init; }
    public required IReadOnlyDictionary<string, ServicePreference> Preferences { get; init; }
    public required IReadOnlyDictionary<string, BridgePool> Pools { get; init; }

    public static ConferencingConfig From(ConfigLookup lookup) => new()
    {
        Aliases = [.. lookup.Items("conference-aliases").Select(Alias).OfType<AliasRule>()
            .OrderBy(a => a.Priority).ThenBy(a => a.Name, StringComparer.Ordinal)],
        Templates = ByName(lookup, "templates", t => new TemplateLimits(Name(t), RuleContext.Text(t, "preference"),
            Int(t, "maxParticipants"), Int(t, "maxConferences"), Int(t, "lingerSeconds") ?? 10, RuleContext.Text(t, "licence") ?? "shared")),
        Preferences = ByName(lookup, "service-preferences", p => new ServicePreference(Name(p), [.. RuleContext.List(p, "pools")])),
        Pools = ByName(lookup, "bridge-pools", p => new BridgePool(Name(p), [.. RuleContext.List(p, "bridges")], RuleContext.Text(p, "location"))),
    };

    private static AliasRule? Alias(JsonObject a)
    {
        if (RuleContext.Text(a, "pattern") is not { } pattern || AliasPattern.Check(pattern, int.MaxValue) is not null)
            return null;
        return new AliasRule(Name(a), AliasPattern.Compile(pattern), RuleContext.Text(a, "conference") ?? "",
            RuleContext.Text(a, "role") ?? "guest", Int(a, "priority") ?? int.MaxValue, RuleContext.Text(a, "template") ?? "");
    }

    private static Dictionary<string, T> ByName<T>(ConfigLookup lookup, string section, Func<JsonObject, T> make) =>
        lookup.Items(section).Where(i => RuleContext.Text(i, SectionDef.NameField) is not null)
            .ToDictionary(Name, make, StringComparer.Ordinal);

    private static string Name(JsonObject item) => RuleContext.Text(item, SectionDef.NameField)!;

    private static int? Int(JsonObject v, string field) => v[field] is JsonValue n && n.TryGetValue<int>(out var i) ? i : null;
}
