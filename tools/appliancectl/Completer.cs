namespace Appliance.Ctl;

/// <summary>Tab completion: command words from the table, section names (and SECTION.FIELD) from
/// `config.sections` (the session's cached catalog).</summary>
internal sealed class Completer(Func<CancellationToken, Task<SectionCatalog?>> sections)
{
    public async Task<Completion> CompleteAsync(string text, CancellationToken ct)
    {
        var start = text.LastIndexOf(' ') + 1;
        var words = text[..start].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var word = text[start..];
        var candidates = await CandidatesAsync(words, word, ct);
        return new Completion(start, candidates.Where(c => c.StartsWith(word, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal).ToList());
    }

    private async Task<IEnumerable<string>> CandidatesAsync(string[] words, string word, CancellationToken ct)
    {
        if (words.Length == 0)
            return Commands.Groups.Concat(Commands.ShellBuiltins);
        if (words[0] == "help")
            return words.Length == 1 ? Commands.Groups : NextWords(words[1..]);
        var next = NextWords(words);
        var spec = Commands.All.FirstOrDefault(c => c.WordList.SequenceEqual(words.Take(c.WordList.Length)));
        if (spec is null)
            return next;
        var positional = spec.Args.Where(a => a.Kind is ArgKind.Required or ArgKind.Optional).ToList();
        var index = words.Length - spec.WordList.Length;
        if (index >= positional.Count)
            return next;
        return positional[index].Display switch
        {
            "SECTION" => next.Concat((await SectionsAsync(ct)).Select(s => s.Name)),
            "SECTION.FIELD" => next.Concat(await FieldPathsAsync(word, ct)),
            _ => next,
        };
    }

    private static IEnumerable<string> NextWords(string[] words) =>
        Commands.All
            .Where(c => c.WordList.Length > words.Length && c.WordList.Take(words.Length).SequenceEqual(words))
            .Select(c => c.WordList[words.Length]);

    private async Task<IEnumerable<string>> FieldPathsAsync(string word, CancellationToken ct)
    {
        var sections = await SectionsAsync(ct);
        return word.Contains('.')
            ? sections.SelectMany(s => s.Fields.Select(f => s.Name + "." + f))
            : sections.Select(s => s.Name + ".");
    }

    private async Task<IReadOnlyList<SectionInfo>> SectionsAsync(CancellationToken ct) =>
        (await sections(ct))?.Sections ?? [];
}
