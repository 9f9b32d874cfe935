using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Daemon.Config;

/// <summary>
/// Rules between shared records (R8 conference status against the configuration): a conference
/// names an existing bridge and template and keeps within the template's maximum; a record another
/// one names (a bridge, pool, preference, template; ReferenceRules.Conferencing.cs), and a location
/// that peers still give addresses, stay. They read
/// other records through <see cref="ConfigContext.Lookup"/>; without it (one record checked on its
/// own, as a replicated record is) they are skipped, and the node's cross-record check covers them.
/// </summary>
public static partial class ReferenceRules
{
    public static void Conference(JsonObject v, RuleContext r)
    {
        if (r.Config.Lookup is not { } lookup)
            return;
        if (RuleContext.Text(v, "bridge") is { } bridge && lookup.Item("bridges", bridge) is null)
            throw r.Fail("bridge", bridge, $"is not a bridge ({Known(lookup, "bridges")}; add it with 'config add bridges {bridge} address=...')");
        if (RuleContext.Text(v, "template") is not { } name)
            return;
        var template = lookup.Item("templates", name)
            ?? throw r.Fail("template", name, $"is not a conference template ({Known(lookup, "templates")}; add it with 'config add templates {name}')");
        var participants = Int(v, "participants") ?? 0;
        if (Int(template, "maxParticipants") is { } max && participants > max)
            throw r.Fail("participants", Text(participants), $"is more than template {name}'s maxParticipants {max}");
    }

    /// <summary>
    /// A template's service preference exists, and its maximums may not drop below what its live
    /// conferences already have.
    /// </summary>
    public static void Template(JsonObject v, RuleContext r)
    {
        if (r.Config.Lookup is not { } lookup)
            return;
        MustExist(r, lookup, v, "preference", "service-preferences", "pools=POOL,...");
        var live = Using(lookup, "template", r.Item).ToList();
        if (Int(v, "maxConferences") is { } most && live.Count > most)
            throw r.Fail("maxConferences", Text(most), $"is less than the {live.Count} live conferences of this template");
        if (Int(v, "maxParticipants") is not { } max)
            return;
        foreach (var conference in live)
        {
            if (Int(conference, "participants") is { } n && n > max)
                throw r.Fail("maxParticipants", Text(max), $"is less than the {n} participants of live conference {RuleContext.Text(conference, SectionDef.NameField)}");
        }
    }

    /// <summary>
    /// config remove of a bridge, template or location. A location's addresses are each peer's own
    /// records, which only that peer writes: removing them here would leave the other peers' records
    /// naming a location that is gone, so the removal waits until every peer has removed its own.
    /// </summary>
    public static void CheckRemove(string section, string name, ConfigContext ctx)
    {
        if (ctx.Lookup is not { } lookup)
            return;
        CheckReferrers(section, name, lookup);
        switch (section)
        {
            case "bridges" or "templates":
                var users = Using(lookup, section == "bridges" ? "bridge" : "template", name)
                    .Select(c => RuleContext.Text(c, SectionDef.NameField)).Order(StringComparer.Ordinal).ToList();
                if (users.Count > 0)
                    throw FieldValues.Fail(section, name,
                        $"is in use by live conference{(users.Count > 1 ? "s" : "")} {List(users)}; remove it once {(users.Count > 1 ? "they have" : "it has")} ended");
                break;
            case "locations":
                var holders = ctx.OtherPeers.Where(p => p.LocationAddresses?.ContainsKey(name) == true).Select(p => p.Label).ToList();
                if (lookup.Item("location-addresses", name) is not null)
                    holders.Insert(0, "this peer");
                if (holders.Count > 0)
                    throw FieldValues.Fail(section, name,
                        $"still has location addresses on {string.Join(", ", holders)}; remove them first on each peer with 'config remove location-addresses {name}'");
                break;
        }
    }

    private static IEnumerable<JsonObject> Using(ConfigLookup lookup, string field, string? name) =>
        lookup.Items("conferences").Where(c => name is not null && RuleContext.Text(c, field) == name);

    private static string Known(ConfigLookup lookup, string section)
    {
        var names = lookup.Items(section).Select(i => RuleContext.Text(i, SectionDef.NameField)).OfType<string>().Order(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? $"none is configured" : $"configured: {List(names)}";
    }

    private static string List(IReadOnlyList<string?> names) =>
        names.Count <= 5 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(5))} and {names.Count - 5} more";

    private static int? Int(JsonObject v, string field) => v[field] is JsonValue n && n.TryGetValue<int>(out var i) ? i : null;

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);
}
