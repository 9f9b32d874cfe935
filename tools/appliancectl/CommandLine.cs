using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>Options valid before (or anywhere around) any command.</summary>
internal sealed record GlobalOptions(string? Socket, bool Json, bool Help, List<string> Words)
{
    /// <summary>--wide: tables and values whole instead of fitted to the terminal.</summary>
    public bool Wide { get; init; }
    /// <summary>--version alone: the CLI's own version.</summary>
    public bool Version { get; init; }
    /// <summary>--man alone: the manual page (roff) built from the command table.</summary>
    public bool Man { get; init; }
}

/// <summary>A command with its API args built and checked.</summary>
internal sealed record ParsedCommand(CommandSpec Spec, JsonObject Args, bool Follow, bool Help)
{
    /// <summary>--yes: a command that asks before it runs goes ahead without asking.</summary>
    public bool Yes { get; init; }
}

/// <summary>Hand-written parsing: global options, matching words to a command, then its arguments.</summary>
internal static class CommandLine
{
    public static GlobalOptions ParseGlobal(IReadOnlyList<string> args)
    {
        string? socket = null;
        bool json = false, help = false, ended = false, wide = false, version = false, man = false;
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (ended)
                words.Add(a);
            else if (a == "--json")
                json = true;
            else if (a == "--wide")
                wide = true;
            else if (words.Count == 0 && a == "--version")
                version = true;
            else if (words.Count == 0 && a == "--man")
                man = true;
            else if (a == "--socket")
                socket = i + 1 < args.Count ? args[++i] : throw new UsageException("--socket needs a PATH");
            else if (a.StartsWith("--socket=", StringComparison.Ordinal))
                socket = a["--socket=".Length..];
            else if (words.Count == 0 && a is "--help" or "-h")
                help = true;
            else
            {
                // After `--` the words are kept for the command (which sees `--` too, to stop its options).
                ended = a == "--";
                words.Add(a);
            }
        }
        if (socket is { Length: 0 })
            throw new UsageException("--socket needs a PATH");
        return new GlobalOptions(socket, json, help, words) { Wide = wide, Version = version, Man = man };
    }

    /// <summary>The longest command whose words start the line, and the words after them.</summary>
    public static (CommandSpec Spec, List<string> Remaining) Match(IReadOnlyList<string> typed)
    {
        if (typed.Count == 0)
            throw new UsageException("no command given");
        var words = Aliases.Resolve(typed);
        var best = Commands.All
            .Where(c => c.WordList.Length <= words.Count && c.WordList.SequenceEqual(words.Take(c.WordList.Length)))
            .MaxBy(c => c.WordList.Length);
        if (best is not null)
            return (best, words.Skip(best.WordList.Length).ToList());
        // Errors name the words as typed (`show foo`, not what an alias made of them).
        var group = typed[0];
        if (!Commands.Groups.Contains(group) && !Aliases.Groups.Contains(group))
            throw new UsageException($"unknown command '{group}'");
        if (typed.Count == 1 || typed[1] is "--help" or "-h")
            throw new UsageException($"'{group}' needs a subcommand", group);
        throw new UsageException($"unknown command '{group} {typed[1]}'", group);
    }

    public static ParsedCommand Parse(CommandSpec spec, IReadOnlyList<string> rest)
    {
        var args = new JsonObject();
        var positional = new List<string>();
        bool follow = false, help = false, ended = false, yes = false;
        for (var i = 0; i < rest.Count; i++)
        {
            var w = rest[i];
            if (ended || !w.StartsWith("--", StringComparison.Ordinal) && w != "-h")
            {
                positional.Add(w);
                continue;
            }
            if (w == "--")
            {
                ended = true;
                continue;
            }
            var (flag, inline) = w.IndexOf('=') is var eq and > 0 ? (w[..eq], w[(eq + 1)..]) : (w, null);
            if (flag is "--help" or "-h")
                help = true;
            else if (flag == "--follow" && spec.FollowCmd is not null)
                follow = true;
            else if (flag == Confirmation.YesFlag && spec.Confirm is not null && inline is null)
                yes = true;
            else if (spec.Args.FirstOrDefault(a => a.Kind == ArgKind.Flag && a.Flag == flag) is { } set && inline is null)
                args[set.Name] = true;
            else if (spec.Args.FirstOrDefault(a => a.Kind == ArgKind.Option && a.Flag == flag) is { } opt)
            {
                var value = inline ?? (i + 1 < rest.Count ? rest[++i] : throw Error(spec, $"{flag} needs a value ({opt.Display})"));
                if (args.ContainsKey(opt.Name))
                    throw Error(spec, $"{flag} is given twice");
                args[opt.Name] = Convert(spec, opt, value);
            }
            else
                throw Error(spec, spec.ExtraArgsMessage ?? $"unknown option {flag} for '{spec.Words}'");
        }
        if (help)
            return new ParsedCommand(spec, args, follow, true);
        AssignPositional(spec, positional, args);
        return new ParsedCommand(spec, args, follow, false) { Yes = yes };
    }

    private static void AssignPositional(CommandSpec spec, List<string> words, JsonObject args)
    {
        var next = 0;
        for (var index = 0; index < spec.Args.Length; index++)
        {
            var a = spec.Args[index];
            switch (a.Kind)
            {
                case ArgKind.Required:
                    if (next >= words.Count)
                        throw Error(spec, $"missing {a.Display}");
                    args[a.Name] = Convert(spec, a, words[next++]);
                    break;
                case ArgKind.Optional:
                    // "ssh-keys add [NAME] FILE": an optional word is taken only when words remain for the required ones after it.
                    if (words.Count - next > spec.Args.Skip(index + 1).Count(r => r.Kind == ArgKind.Required))
                        args[a.Name] = Convert(spec, a, words[next++]);
                    break;
                case ArgKind.Rest:
                    if (words.Count - next < a.Min)
                        throw Error(spec, $"missing {a.Display}");
                    args[a.Name] = new JsonArray(words.Skip(next).Select(w => (JsonNode?)w).ToArray());
                    next = words.Count;
                    break;
                case ArgKind.Pairs:
                    var target = a.Name.Length == 0 ? args : new JsonObject();
                    foreach (var pair in words.Skip(next))
                        AddPair(spec, target, pair, a.BareKeys);
                    if (a.Name.Length > 0)
                        args[a.Name] = target;
                    next = words.Count;
                    break;
                case ArgKind.Fixed:
                    args[a.Name] = a.Value?.DeepClone();
                    break;
            }
        }
        if (next < words.Count)
            throw Error(spec, spec.ExtraArgsMessage ?? $"unexpected argument '{words[next]}'");
    }

    private static void AddPair(CommandSpec spec, JsonObject target, string pair, bool bareKeys)
    {
        var eq = pair.IndexOf('=');
        if (eq == 0 || eq < 0 && !(bareKeys && pair.Length > 0))
            throw Error(spec, $"'{pair}' is not key=value");
        var key = eq < 0 ? pair : pair[..eq];
        if (target.ContainsKey(key))
            throw Error(spec, $"'{key}' is given twice");
        target[key] = eq < 0 ? null : pair[(eq + 1)..];
    }

    private static JsonNode? Convert(CommandSpec spec, ArgSpec a, string word)
    {
        try
        {
            return a.Convert is null ? JsonValue.Create(word) : a.Convert(word);
        }
        catch (UsageException e)
        {
            throw Error(spec, e.Message);
        }
    }

    private static UsageException Error(CommandSpec spec, string message) => new(message, spec.Group);
}
