using System.Text.Json.Nodes;

namespace Appliance.Ctl;

internal sealed partial class Completer
{
    /// <summary>The argument words, without options and the values they take.</summary>
    private static List<string> Positional(CommandSpec spec, List<string> argWords)
    {
        var words = new List<string>();
        for (var i = 0; i < argWords.Count; i++)
        {
            if (spec.Args.Any(a => a.Kind == ArgKind.Option && a.Flag == argWords[i]))
                i++;
            else if (!argWords[i].StartsWith("--", StringComparison.Ordinal))
                words.Add(argWords[i]);
        }
        return words;
    }

    /// <summary>The argument the next word fills: one word each for Required/Optional, the rest for Rest/Pairs.</summary>
    private static ArgSpec? ArgAt(CommandSpec spec, int index)
    {
        var args = spec.Args.Where(a => a.Kind is ArgKind.Required or ArgKind.Optional or ArgKind.Rest or ArgKind.Pairs).ToList();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].Kind is ArgKind.Rest or ArgKind.Pairs || i == index)
                return args[i];
        }
        return null;
    }

    private async Task<IEnumerable<Choice>> ArgumentValuesAsync(CommandSpec spec, List<string> positional, string word, CancellationToken ct)
    {
        var arg = ArgAt(spec, positional.Count);
        var catalog = await SectionsAsync(ct);
        return arg switch
        {
            null => [],
            { Display: "SECTION" } => catalog.Select(s => new Choice(s.Name, s.Help)),
            { Display: "SECTION.FIELD" } => await FieldPathsAsync(catalog, word, ct),
            { Kind: ArgKind.Rest } when spec.ApiCmd == "config.set" => FieldValues(catalog, positional[0], ""),
            { Kind: ArgKind.Pairs } when spec.ApiCmd is "config.add" or "config.update" => PairChoices(catalog, positional[0], word),
            { Display: "NAME" } when spec.ApiCmd == "config.update" && catalog.FirstOrDefault(s => s.Name == positional[0]) is { Collection: false } => PairChoices(catalog, positional[0], word),
            { Display: "NAME" } when spec.ApiCmd is "config.remove" or "config.update" => await ItemsAsync(positional[0], ct),
            { Display: "ADDR" } => await PeerHostsAsync(ct),
            { Display: "BRIDGE" } => await ItemsAsync("bridges", ct),
            _ when arg.Display.Split('|').Contains("NAME") && spec.ApiCmd != "config.add" => await ListedNamesAsync(spec, ct),
            _ => [],
        };
    }

    /// <summary>"ipv4." then "ipv4.address"; in a collection "bridges." then "bridges.b1." then "bridges.b1.port".</summary>
    private async Task<IEnumerable<Choice>> FieldPathsAsync(IReadOnlyList<SectionInfo> catalog, string word, CancellationToken ct)
    {
        var parts = word.Split('.');
        if (parts.Length == 1)
            return catalog.Select(s => new Choice(s.Name + ".", s.Help));
        if (catalog.FirstOrDefault(s => s.Name == parts[0]) is not { } section)
            return [];
        if (!section.Collection)
            return Fields(section, $"{section.Name}.");
        if (parts.Length == 2)
            return (await ItemsAsync(section.Name, ct)).Select(i => i with { Text = $"{section.Name}.{i.Text}." });
        return Fields(section, $"{section.Name}.{string.Join('.', parts[1..^1])}.").Skip(1);
    }

    /// <summary>The section's fields after <paramref name="prefix"/>, described when the daemon says how.</summary>
    private static IEnumerable<Choice> Fields(SectionInfo section, string prefix) =>
        section.Fields.Select(f => new Choice(prefix + f, section.Detail(f) is { } d ? FieldHelp.Describe(d) : ""));

    /// <summary>The values a field takes when they can be listed: its choices, or the time zones.</summary>
    private static IEnumerable<Choice> FieldValues(IReadOnlyList<SectionInfo> catalog, string path, string prefix)
    {
        var parts = path.Split('.');
        var section = catalog.FirstOrDefault(s => string.Equals(s.Name, parts[0], StringComparison.OrdinalIgnoreCase));
        if (parts.Length < 2 || section?.Detail(parts[^1]) is not { } field)
            return [];
        if (Text(field["kind"]) == "timeZone")
            return TimeZoneInfo.GetSystemTimeZones().Select(z => new Choice(prefix + z.Id));
        return field["choices"] is JsonArray choices ? choices.Select(c => new Choice(prefix + Text(c))) : [];
    }

    /// <summary>config add SECTION NAME: "field=" for each field, then that field's values after the '='.</summary>
    private static IEnumerable<Choice> PairChoices(IReadOnlyList<SectionInfo> catalog, string sectionName, string word)
    {
        var section = catalog.FirstOrDefault(s => string.Equals(s.Name, sectionName, StringComparison.OrdinalIgnoreCase));
        if (section is null)
            return [];
        var eq = word.IndexOf('=');
        return eq < 0
            ? Fields(section, "").Skip(1).Select(c => c with { Text = c.Text + "=" })
            : FieldValues(catalog, $"{section.Name}.{word[..eq]}", word[..(eq + 1)]);
    }

    /// <summary>The items of a collection section, by name.</summary>
    private async Task<IEnumerable<Choice>> ItemsAsync(string section, CancellationToken ct)
    {
        var result = await call("config.show", new JsonObject { ["section"] = section }, ct);
        return result?["sections"] is JsonArray sections
            ? sections.OfType<JsonObject>().SelectMany(s => s["items"] as JsonArray ?? []).Select(i => new Choice(Text(i?["name"])))
            : [];
    }

    /// <summary>Names for `backup download NAME`, `certificates remove NAME`, `ssh-keys remove NAME`:
    /// the group's own list command, whatever array of named things it returns.</summary>
    private async Task<IEnumerable<Choice>> ListedNamesAsync(CommandSpec spec, CancellationToken ct)
    {
        var list = Commands.InGroup(spec.Group).FirstOrDefault(c => c.WordList[^1] == "list");
        if (list is null || await call(list.ApiCmd, new JsonObject(), ct) is not { } result)
            return [];
        return result.Select(p => p.Value).OfType<JsonArray>().SelectMany(a => a.OfType<JsonObject>())
            .Select(o => Text(o["name"])).Where(n => n.Length > 0).Select(n => new Choice(n));
    }

    /// <summary>The peers' addresses and host names, from cluster.show.</summary>
    private async Task<IEnumerable<Choice>> PeerHostsAsync(CancellationToken ct)
    {
        var result = await call("cluster.show", new JsonObject(), ct);
        var peers = result?["peers"] as JsonArray ?? [];
        return peers.OfType<JsonObject>().SelectMany(p => new[] { Text(p["address"]), Text(p["host"]) })
            .Where(h => h.Length > 0 && h != "-").Select(h => new Choice(h));
    }

    /// <summary>For `?`: what the argument at the cursor takes, when it is a value to type.</summary>
    private async Task<string?> ExpectedAsync(string[] typed, CancellationToken ct)
    {
        if (typed.Length == 0 || typed[0] == "help" || Match(typed) is not { } spec)
            return null;
        var words = Aliases.Resolve(typed);
        var positional = Positional(spec, words.Skip(spec.WordList.Length).ToList());
        if (ArgAt(spec, positional.Count) is not { } arg)
            return $"{spec.Usage}: nothing more; <Enter> runs it";
        if (spec.ApiCmd == "config.set" && arg.Kind == ArgKind.Rest)
        {
            var parts = positional[0].Split('.');
            var section = (await SectionsAsync(ct)).FirstOrDefault(s => string.Equals(s.Name, parts[0], StringComparison.OrdinalIgnoreCase));
            return section?.Detail(parts[^1]) is { } field ? $"VALUE for {positional[0]}: {FieldHelp.Describe(field)}" : $"VALUE for {positional[0]}";
        }
        return $"{arg.Usage}: {spec.Summary}";
    }

    private async Task<IReadOnlyList<SectionInfo>> SectionsAsync(CancellationToken ct) =>
        (await sections(ct))?.Sections ?? [];

    private static string Text(JsonNode? n) => SectionCatalog.Text(n) ?? "";
}
