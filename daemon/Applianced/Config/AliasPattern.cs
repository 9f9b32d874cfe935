using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.Daemon.Config;

/// <summary>
/// conference-aliases.pattern and its replace string. A pattern is matched against every incoming
/// call's alias, which a caller chooses: it is compiled non-backtracking (time linear in the alias,
/// whatever the pattern) and still given a match timeout, so no alias can hold a SIP worker. The
/// price is what that engine lacks (backreferences, lookarounds, atomic groups, conditionals): such
/// a pattern is refused when it is stored, with the engine's own reason.
/// </summary>
public static class AliasPattern
{
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>
    /// A belt on top of the linear engine: a 256-character alias takes microseconds, but a loaded
    /// 2-core box stalled 50 ms matches now and then (a GC, a descheduled thread), which then read as
    /// "no alias matches" and answered callers 404.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Patterns compiled and checked before: every call's placement reads the aliases anew, and
    /// building a non-backtracking regex costs milliseconds (the call-setup bench saw placement take
    /// most of what the B2BUA adds). A Regex is safe to share between threads; the caches are
    /// emptied when they reach <see cref="CacheLimit"/> patterns, so records cannot grow them without end.
    /// </summary>
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string, int), string?> Checked = new();
    private const int CacheLimit = 4096;

    /// <summary>
    /// The pattern compiled to match a whole alias or nothing (anchored, so "a|ab" takes "ab" whole);
    /// throws what <see cref="Check"/> turns into a rule.
    /// </summary>
    public static Regex Compile(string pattern)
    {
        if (Compiled.TryGetValue(pattern, out var regex)) return regex;
        if (Compiled.Count >= CacheLimit) Compiled.Clear();
        return Compiled.GetOrAdd(pattern, p => new Regex($@"\A(?:{p})\z", Options, MatchTimeout));
    }

    /// <summary>Null when the pattern may be stored, else why not (the regex engine's message).</summary>
    public static string? Check(string pattern, int maxLength)
    {
        if (Checked.TryGetValue((pattern, maxLength), out var known)) return known;
        if (Checked.Count >= CacheLimit) Checked.Clear();
        return Checked.GetOrAdd((pattern, maxLength), key => CheckUncached(key.Item1, key.Item2));
    }

    private static string? CheckUncached(string pattern, int maxLength)
    {
        if (TextRules.Check(pattern) is { } why)
            return why;
        if (pattern.Length > maxLength)
            return $"is longer than {maxLength} characters";
        try
        {
            // On its own first, so an error names offsets in what the operator typed.
            _ = new Regex(pattern, Options, MatchTimeout);
            _ = Compile(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"is not a valid regular expression: {e.Message}";
        }
        catch (NotSupportedException e)
        {
            return $"cannot be matched without backtracking: {e.Message}";
        }
    }

    /// <summary>
    /// Null when every group the replace string names ($1, ${name}) is a group of the pattern, else the
    /// rule it breaks: .NET would copy an unknown reference as text, making a conference name nobody meant.
    /// </summary>
    public static string? CheckReplacement(Regex regex, string replacement)
    {
        var numbers = regex.GetGroupNumbers().ToHashSet();
        var names = regex.GetGroupNames().ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < replacement.Length - 1; i++)
        {
            if (replacement[i] != '$')
                continue;
            var next = replacement[i + 1];
            if (next == '$')
            {
                i++;
                continue;
            }
            if (char.IsAsciiDigit(next))
            {
                var end = i + 1;
                while (end < replacement.Length && char.IsAsciiDigit(replacement[end])) end++;
                var text = replacement[(i + 1)..end];
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || !numbers.Contains(n))
                    return $"names group ${text}, which the pattern does not have (it has {Groups(regex)})";
                i = end - 1;
            }
            else if (next == '{')
            {
                var close = replacement.IndexOf('}', i + 2);
                if (close < 0)
                    return "has a '${' without its '}'";
                var name = replacement[(i + 2)..close];
                if (!names.Contains(name))
                    return $"names group ${{{name}}}, which the pattern does not have (it has {Groups(regex)})";
                i = close;
            }
        }
        return null;
    }

    private static string Groups(Regex regex)
    {
        var groups = regex.GetGroupNames().Where(n => n != "0").Select(n => int.TryParse(n, out _) ? "$" + n : "${" + n + "}").ToList();
        return groups.Count == 0 ? "no groups" : string.Join(", ", groups);
    }
}
