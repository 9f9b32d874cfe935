using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// The chain placement follows (alias -> template -> service preference -> pools -> bridges): each
/// link names a record that exists, and a record a link names is not removed from under it.
/// </summary>
public static partial class ReferenceRules
{
    /// <summary>Who names a record: (referring section, its field, whether that field is a list).</summary>
    private static readonly Dictionary<string, (string Section, string Field, bool IsList)[]> Referrers = new(StringComparer.Ordinal)
    {
        ["bridges"] = [("bridge-pools", "bridges", true)],
        ["bridge-pools"] = [("service-preferences", "pools", true)],
        ["service-preferences"] = [("templates", "preference", false)],
        ["templates"] = [("conference-aliases", "template", false)],
        ["locations"] = [("bridge-pools", "location", false)],
    };

    /// <summary>What each section's rules read besides the record weighed (Conference, Template, Pool, Preference, Alias).</summary>
    private static readonly Dictionary<string, string[]> Reads = new(StringComparer.Ordinal)
    {
        ["conferences"] = ["bridges", "templates"],
        ["bridge-pools"] = ["bridges", "locations"],
        ["service-preferences"] = ["bridge-pools"],
        ["templates"] = ["service-preferences", "conferences"],
        ["conference-aliases"] = ["templates"],
    };

    /// <summary>The sections whose records name others: what the cross-record alarms weigh again when a named one changes.</summary>
    public static IReadOnlyCollection<string> ReferringSections { get; } = Reads.Keys;

    /// <summary>
    /// The sections whose records a change in <paramref name="section"/> can make break a rule or
    /// keep again: those whose rules read it, and its own (its records name the others; a message
    /// lists the section's names).
    /// </summary>
    public static IEnumerable<string> ReadersOf(string section) =>
        Reads.Where(kv => kv.Key == section || kv.Value.Contains(section, StringComparer.Ordinal)).Select(kv => kv.Key);

    /// <summary>The sections some record names.</summary>
    public static IReadOnlyCollection<string> ReferencedSections { get; } =
        [.. Referrers.Keys.Append("conference-aliases").Distinct()];

    public static void Pool(JsonObject v, RuleContext r)
    {
        if (ListMustExist(r, v, "bridges", "bridges", "bridge", "B1 B2", "address=...") is { } lookup)
            MustExist(r, lookup, v, "location", "locations", "");
    }

    public static void Preference(JsonObject v, RuleContext r) =>
        _ = ListMustExist(r, v, "pools", "bridge-pools", "bridge pool", "P1 P2", "bridges=B1,B2");

    /// <summary>A list field holds at least one name, each of an existing item; returns the lookup when there is one.</summary>
    private static ConfigLookup? ListMustExist(RuleContext r, JsonObject v, string field, string section, string what, string example, string addFields)
    {
        var names = RuleContext.List(v, field).ToList();
        if (names.Count == 0)
            throw r.Fail(field, null, $"needs at least one {what} (config set {r.Section.Name}.NAME.{field} {example})");
        if (r.Config.Lookup is not { } lookup)
            return null;
        foreach (var name in names)
        {
            if (lookup.Item(section, name) is null)
                throw r.Fail(field, name, $"is not a {what} ({Known(lookup, section)}; add it with 'config add {section} {name} {addFields}')");
        }
        return lookup;
    }

    /// <summary>The replace string names only groups the pattern has; the template exists.</summary>
    public static void Alias(JsonObject v, RuleContext r)
    {
        if (RuleContext.Text(v, "pattern") is { } pattern && RuleContext.Text(v, "conference") is { } replace
            && AliasPattern.CheckReplacement(AliasPattern.Compile(pattern), replace) is { } why)
            throw r.Fail("conference", replace, why);
        if (r.Config.Lookup is { } lookup)
            MustExist(r, lookup, v, "template", "templates", "");
    }

    private static void MustExist(RuleContext r, ConfigLookup lookup, JsonObject v, string field, string section, string addFields)
    {
        if (RuleContext.Text(v, field) is not { } name || lookup.Item(section, name) is not null)
            return;
        var add = $"config add {section} {name}{(addFields.Length > 0 ? " " + addFields : "")}";
        throw r.Fail(field, name, $"is not one of the {section} ({Known(lookup, section)}; add it with '{add}')");
    }

    /// <summary>config remove of a record another record names: refused, naming each that does.</summary>
    private static void CheckReferrers(string section, string name, ConfigLookup lookup)
    {
        if (!Referrers.TryGetValue(section, out var referrers))
            return;
        foreach (var (referrer, field, isList) in referrers)
        {
            var users = lookup.Items(referrer)
                .Where(i => isList ? RuleContext.List(i, field).Contains(name, StringComparer.Ordinal) : RuleContext.Text(i, field) == name)
                .Select(i => RuleContext.Text(i, SectionDef.NameField)).Order(StringComparer.Ordinal).ToList();
            if (users.Count > 0)
                throw FieldValues.Fail(section, name,
                    $"is named in the {field} of {referrer} {List(users)}; change or remove {(users.Count > 1 ? "them" : "it")} first");
        }
    }
}
