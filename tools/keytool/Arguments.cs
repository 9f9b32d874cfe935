using System.Globalization;

namespace Appliance.KeyTool;

internal sealed class UsageException(string message) : Exception(message);

/// <summary>"--name value" options (only the command's own) and positional arguments.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];
    private int _positionalUsed;

    public static Arguments Parse(string[] args, IReadOnlyCollection<string> allowed, int positional)
    {
        var a = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                a._positional.Add(args[i]);
                continue;
            }
            var name = args[i][2..];
            if (!allowed.Contains(name))
                throw new UsageException($"unknown option --{name} (this command takes {string.Join(", ", allowed.Select(o => "--" + o))})");
            if (i + 1 >= args.Length)
                throw new UsageException($"--{name} needs a value");
            if (!a._options.TryAdd(name, args[++i]))
                throw new UsageException($"--{name} is given twice");
        }
        if (a._positional.Count > positional)
            throw new UsageException($"unexpected argument \"{a._positional[positional]}\"");
        return a;
    }

    public string? Optional(string name) => _options.GetValueOrDefault(name);

    public string Required(string name) => Optional(name) ?? throw new UsageException($"--{name} is required");

    public int RequiredInt(string name)
    {
        var text = Required(name);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"--{name} must be a whole number >= 0, not \"{text}\"");
    }

    public string Positional(string what) =>
        _positionalUsed < _positional.Count ? _positional[_positionalUsed++] : throw new UsageException($"{what} is required");
}
