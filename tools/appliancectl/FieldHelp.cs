using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>The fields of each section for `help config set` (and the other config commands that
/// name a field), from the daemon's own schema (`config.sections` details): kind, limits, choices,
/// default and help line. Nothing here lists a field, so help cannot drift from what is accepted.</summary>
internal static class FieldHelp
{
    /// <summary>Config commands whose words name a field (config get/set/unset, config add's key=value);
    /// the help of the others never waits for the daemon.</summary>
    public static bool Applies(CommandSpec spec) =>
        spec.ApiCmd.StartsWith("config.", StringComparison.Ordinal) && spec.Args.Any(a => a.Display == "SECTION.FIELD" || a.Kind == ArgKind.Pairs);

    /// <summary>Writes the sections named in <paramref name="only"/> (all when empty).</summary>
    public static void Write(TextWriter w, JsonObject? sections, IReadOnlyList<string> only, int width)
    {
        if (sections?["sections"] is not JsonArray all)
        {
            w.WriteLine("(the fields come from the daemon, which did not answer; `help config set` lists them once it runs)");
            return;
        }
        var chosen = all.OfType<JsonObject>()
            .Where(s => only.Count == 0 || only.Any(o => string.Equals(o, Text(s["name"]), StringComparison.OrdinalIgnoreCase)))
            .ToList();
        if (chosen.Count == 0)
        {
            TextWrap.Hanging(w, "", $"no section {string.Join(", ", only)}; sections: {string.Join(", ", all.Select(s => Text(s?["name"])))}", width);
            return;
        }
        w.WriteLine();
        TextWrap.Hanging(w, "", "fields (SECTION.FIELD; a collection's items: SECTION.ITEM.FIELD, made with config add):", width);
        foreach (var section in chosen)
        {
            w.WriteLine();
            var kind = section["collection"] is JsonValue c && c.TryGetValue(out bool collection) && collection ? "collection, " : "";
            TextWrap.Hanging(w, "", $"{Text(section["name"])} ({kind}{Text(section["scope"])}): {Text(section["help"])}", width);
            var details = section["details"] as JsonArray ?? [];
            var nameWidth = details.Select(d => Text(d?["name"]).Length).DefaultIfEmpty(0).Max();
            foreach (var d in details.OfType<JsonObject>())
                TextWrap.Hanging(w, "  " + Text(d["name"]).PadRight(nameWidth) + "  ", Describe(d), width);
        }
    }

    /// <summary>"one of http, https; required; default https. bridge hosting it"</summary>
    internal static string Describe(JsonObject d)
    {
        var parts = new List<string> { Text(d["syntax"]) };
        if (d["required"] is JsonValue r && r.TryGetValue(out bool required) && required)
            parts.Add("required");
        if (d["default"] is { } def && Renderer.Scalar(def) is var shown && shown is not ("-" or "(none)"))
            parts.Add("default " + shown);
        var help = Text(d["help"]);
        return string.Join("; ", parts) + (help.Length > 0 ? ". " + help : "");
    }

    private static string Text(JsonNode? n) => n is JsonValue v && v.TryGetValue(out string? s) ? s : "";
}
