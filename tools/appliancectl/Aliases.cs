namespace Appliance.Ctl;

/// <summary>Other words for a command of the table: the words an operator of another appliance
/// types (Cisco's and VyOS's `show ...`, the American `license`). An alias only renames; the
/// command it stands for does the work, so the two never drift apart.</summary>
internal sealed record CommandAlias(string Words, string Target)
{
    public string[] WordList { get; } = Words.Split(' ');
    public string[] TargetList { get; } = Target.Split(' ');
    public string Group => WordList[0];
}

internal static class Aliases
{
    public static readonly CommandAlias[] All =
    [
        new("license", "licence"),
        new("show status", "status"),
        new("show cluster", "cluster show"),
        new("show config", "config show"),
        new("show alarms", "alarms"),
    ];

    public static IEnumerable<string> Groups => All.Select(a => a.Group).Distinct().Where(g => !Commands.Groups.Contains(g));

    /// <summary>The words with a leading alias replaced by the words it stands for (the longest alias wins).</summary>
    public static List<string> Resolve(IReadOnlyList<string> words)
    {
        var alias = All
            .Where(a => a.WordList.Length <= words.Count && a.WordList.SequenceEqual(words.Take(a.WordList.Length)))
            .MaxBy(a => a.WordList.Length);
        return alias is null ? [.. words] : [.. alias.TargetList, .. words.Skip(alias.WordList.Length)];
    }

    /// <summary>The commands an alias group such as `show` reaches, each under its alias words.</summary>
    public static IEnumerable<(string Words, CommandSpec Spec)> InGroup(string name) =>
        All.Where(a => a.Group == name).SelectMany(a => Commands.All
            .Where(spec => spec.WordList.Take(a.TargetList.Length).SequenceEqual(a.TargetList))
            .Select(spec => (a.Words + spec.Words[a.Target.Length..], spec)));
}
