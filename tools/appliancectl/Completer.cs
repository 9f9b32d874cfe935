using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>One word that may come next, and a line on what it is (for `?`).</summary>
internal sealed record Choice(string Text, string Help = "");

/// <summary>Tab completion and `?`: command words from the table (and its aliases), flags, section
/// names and SECTION.FIELD from `config.sections` (the session's cached catalog), a field's values
/// (its choices, time zones), item names, backup/certificate/key names and peer hosts, each asked of
/// the daemon when needed, so nothing is listed here that the daemon does not have.</summary>
internal sealed partial class Completer(
    Func<CancellationToken, Task<SectionCatalog?>> sections,
    Func<string, JsonObject, CancellationToken, Task<JsonObject?>> call,
    int? columns = null)
{
    /// <summary>`?` lists at most this many bare values (time zones: type a prefix first).</summary>
    private const int MaxListed = 60;

    public async Task<Completion> CompleteAsync(string text, CancellationToken ct)
    {
        var (start, words, word) = Split(text);
        var choices = await ChoicesAsync(words, word, ct);
        return new Completion(start, choices.Select(c => c.Text).Where(c => c.StartsWith(word, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>What `?` shows: each word that may come next with its line, or what the argument
    /// at the cursor takes when it is free text.</summary>
    public async Task<IReadOnlyList<string>> HelpAsync(string text, CancellationToken ct)
    {
        var (_, words, word) = Split(text);
        var choices = (await ChoicesAsync(words, word, ct))
            .Where(c => c.Text.StartsWith(word, StringComparison.Ordinal)).DistinctBy(c => c.Text).OrderBy(c => c.Text, StringComparer.Ordinal).ToList();
        var w = new StringWriter { NewLine = "\n" };
        if (await ExpectedAsync(words, ct) is { } expected)
            TextWrap.Hanging(w, "", expected, columns);
        var width = choices.Select(c => c.Text.Length).DefaultIfEmpty(0).Max();
        foreach (var c in choices.Where(c => c.Help.Length > 0))
            TextWrap.Hanging(w, "  " + c.Text.PadRight(width) + "  ", c.Help, columns);
        var bare = choices.Where(c => c.Help.Length == 0).Select(c => c.Text).ToList();
        if (bare.Count > 0)
        {
            var more = bare.Count > MaxListed ? $" ... ({bare.Count - MaxListed} more: type the first letters)" : "";
            TextWrap.Hanging(w, "  ", string.Join("  ", bare.Take(MaxListed)) + more, columns);
        }
        if (w.GetStringBuilder().Length == 0)
            w.WriteLine(words.Length == 0 ? "type a command" : "<Enter> runs the line");
        return w.ToString().TrimEnd('\n').Split('\n');
    }

    private static (int Start, string[] Words, string Word) Split(string text)
    {
        var start = text.LastIndexOf(' ') + 1;
        return (start, text[..start].Split(' ', StringSplitOptions.RemoveEmptyEntries), text[start..]);
    }

    private async Task<IEnumerable<Choice>> ChoicesAsync(string[] typed, string word, CancellationToken ct)
    {
        if (typed.Length == 0)
            return Commands.Groups.Concat(Aliases.Groups).Select(g => new Choice(g, GroupHelp(g)))
                .Concat(Commands.ShellBuiltins.Select(b => new Choice(b)));
        if (typed[0] == "help")
            return NextWords(typed[1..]);
        var next = NextWords(typed);
        if (Match(typed) is not { } spec)
            return next;
        var words = Aliases.Resolve(typed);
        var argWords = words.Skip(spec.WordList.Length).ToList();
        if (word.StartsWith('-'))
            return next.Concat(Flags(spec));
        if (argWords.Count > 0 && spec.Args.Any(a => a.Kind == ArgKind.Option && a.Flag == argWords[^1]))
            return next.Concat(await OptionValuesAsync(argWords[^1], ct));
        var positional = Positional(spec, argWords);
        return next.Concat(await ArgumentValuesAsync(spec, positional, word, ct));
    }

    /// <summary>A one-word command's summary, or the words that may follow a group's first word.</summary>
    private static string GroupHelp(string group) =>
        NextWords([group]).Select(c => c.Text).Distinct().ToList() is { Count: > 0 } next
            ? string.Join(", ", next)
            : Commands.All.FirstOrDefault(c => c.Words == group)?.Summary ?? "";

    /// <summary>The command the typed words name (after aliases), or null.</summary>
    private static CommandSpec? Match(string[] typed)
    {
        var words = Aliases.Resolve(typed);
        return Commands.All.Where(c => c.WordList.Length <= words.Count && c.WordList.SequenceEqual(words.Take(c.WordList.Length)))
            .MaxBy(c => c.WordList.Length);
    }

    /// <summary>Command words (and alias words) that continue the typed ones.</summary>
    private static IEnumerable<Choice> NextWords(string[] typed)
    {
        var words = Aliases.Resolve(typed);
        var real = Commands.All
            .Where(c => c.WordList.Length > words.Count && c.WordList.Take(words.Count).SequenceEqual(words))
            .Select(c => new Choice(c.WordList[words.Count], c.Summary));
        var aliased = Aliases.All
            .Where(a => a.WordList.Length > typed.Length && a.WordList.Take(typed.Length).SequenceEqual(typed))
            .Select(a => new Choice(a.WordList[typed.Length], "= " + a.Target));
        return real.Concat(aliased);
    }

    private static IEnumerable<Choice> Flags(CommandSpec spec)
    {
        foreach (var a in spec.Args.Where(a => a.Flag is not null))
            yield return new Choice(a.Flag!, a.Kind == ArgKind.Option ? a.Display : "");
        if (spec.FollowCmd is not null)
            yield return new Choice("--follow", "new entries as they come (Ctrl-C ends)");
        yield return new Choice("--json", "the result as JSON");
        yield return new Choice("--wide", "tables and values whole");
        yield return new Choice("--help", "usage and example");
    }

    private async Task<IEnumerable<Choice>> OptionValuesAsync(string flag, CancellationToken ct) =>
        flag == "--peer" ? await PeerHostsAsync(ct) : [];
}
