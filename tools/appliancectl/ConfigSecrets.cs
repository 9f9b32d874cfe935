using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// Secret fields in `config set`, `config add` and `config update` (those config.sections lists as secrets) are never
/// taken from the command line, where the process list, the shell history and an SSH log would keep
/// them, and never repeated on screen. The field is named without a value (`config set root.password`,
/// `config add bridges b1 address=... password`); its value is asked for twice without echo on a
/// terminal, else read from stdin, one line per secret field in the order named.
/// </summary>
internal static class ConfigSecrets
{
    /// <summary>For config set/add, whose words may be a secret: an unknown option is not echoed.</summary>
    public const string NoOptions = "this command takes no options (a value that starts with -- goes after `--`)";

    public static async Task<JsonObject?> PrepareSetAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        var path = args["path"]!.GetValue<string>();
        var values = args["values"]!.AsArray();
        var secret = (await CatalogAsync(context, ct)).SecretPath(path);
        if (secret is null)
            return values.Count > 0 ? args : throw new UsageException("missing VALUE", "config");
        // The cluster key has its own command (`cluster set-key`); the daemon refuses it through config.set.
        if (secret == ClusterKey.KeyPath)
            throw new UsageException("cluster.key is set with `cluster set-key`, which asks for it or reads it from stdin, "
                + "never from the command line; nothing was changed", "config");
        if (values.Count > 0 || path.Contains('='))
            throw Refused(secret, $"run `config set {secret}` alone");
        if (Read(context, secret) is not { } value)
            return null;
        args["path"] = secret;
        args["values"] = new JsonArray(value);
        return args;
    }

    public static async Task<JsonObject?> PrepareAddAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        var section = (await CatalogAsync(context, ct)).Find(args["section"]!.GetValue<string>());
        return AskSecrets(context, section, args["name"]!.GetValue<string>(), args["fields"]!.AsObject()) ? args : null;
    }

    /// <summary>
    /// config update SECTION [NAME] FIELD=VALUE...: NAME only for a collection (in a plain section the
    /// first word is a field), secrets asked for like `config add`, each value sent as a list
    /// (`servers=a,b` is a list, `servers=` the default).
    /// </summary>
    public static async Task<JsonObject?> PrepareUpdateAsync(CommandContext context, JsonObject args, CancellationToken ct)
    {
        var sectionName = args["section"]!.GetValue<string>();
        var section = (await CatalogAsync(context, ct)).Find(sectionName);
        var fields = args["fields"]!.AsObject();
        if ((string?)args["name"] is { } first && (section is { Collection: false } || first.Contains('=')))
        {
            // A plain section's first word, or a collection's missing NAME, is a field: put it back first.
            args.Remove("name");
            var eq = first.IndexOf('=');
            var key = eq < 0 ? first : first[..eq];
            if (fields.ContainsKey(key)) throw new UsageException($"'{key}' is given twice", "config");
            var rest = fields.ToList();
            fields.Clear();
            fields[key] = eq < 0 ? null : first[(eq + 1)..];
            foreach (var (k, v) in rest) fields[k] = v?.DeepClone();
        }
        if (section is { Collection: true } && args["name"] is null)
            throw new UsageException($"missing NAME: {section.Name} is a collection (config update {section.Name} NAME FIELD=VALUE...)", "config");
        if (fields.Count == 0)
            throw new UsageException("missing FIELD=VALUE: name at least one field to change", "config");
        if (!AskSecrets(context, section, (string?)args["name"], fields)) return null;
        foreach (var (key, value) in fields.ToList())
        {
            var text = (string?)value ?? "";
            fields[key] = text.Length == 0 ? new JsonArray() : new JsonArray(text);
        }
        return args;
    }

    /// <summary>Reads the secret fields named without a value; false when a prompt was cancelled.</summary>
    private static bool AskSecrets(CommandContext context, SectionInfo? section, string? item, JsonObject fields)
    {
        var asked = new List<(string Key, string Path)>();
        foreach (var (key, value) in fields)
        {
            if (section?.Secret(key) is not { } secret)
            {
                if (value is null)
                    throw NotAPair(section, key);
                continue;
            }
            var path = section.PathOf(section.Collection ? item : null, secret);
            if (value is not null)
                throw Refused(path, $"write `{secret}` alone, without =VALUE,");
            asked.Add((key, path));
        }
        foreach (var (key, path) in asked)
        {
            if (Read(context, path) is not { } value)
                return false;
            fields[key] = value;
        }
        return true;
    }

    private static async Task<SectionCatalog> CatalogAsync(CommandContext context, CancellationToken ct)
    {
        var response = await context.Client.CallAsync("config.sections", new JsonObject(), ct);
        return SectionCatalog.From(response.Result)
            ?? throw new ProtocolException("the daemon did not say which configuration fields are secret (config.sections"
                + (response.Error is { } e ? ": " + e.Message : "") + "); nothing was changed");
    }

    /// <summary>The value typed or piped in; null when the prompt was cancelled.</summary>
    private static string? Read(CommandContext context, string path)
    {
        var host = context.Host;
        var value = host.Terminal is { } terminal
            ? SecretPrompt.ReadTwice(terminal, host.Err, path, new UsageException($"the two entries for {path} differ; nothing was changed", "config"))
            : host.In.ReadLine() ?? throw new UsageException($"no value for {path} on stdin (pipe it in, one line per secret field); nothing was changed", "config");
        if (value is null)
        {
            host.Err.WriteLine("cancelled; nothing was changed");
            return null;
        }
        return value.Length > 0 ? value
            : throw new UsageException($"the value for {path} is empty; nothing was changed (config unset clears a field)", "config");
    }

    private static UsageException Refused(string path, string how) =>
        new($"{path} is a secret and is never taken from the command line, where the process list and shell history "
            + $"would keep it; {how} and type it at the prompt, or pipe it on stdin; nothing was changed", "config");

    /// <summary>A word without '=' that is not a secret field. In a section that has secrets it is not
    /// repeated: it may be one typed after a space instead of '='.</summary>
    private static UsageException NotAPair(SectionInfo? section, string word)
    {
        if (section is not { Secrets.Count: > 0 })
            return new UsageException($"'{word}' is not key=value", "config");
        var known = section.Fields.FirstOrDefault(f => f.Equals(word, StringComparison.OrdinalIgnoreCase));
        var what = known is null ? "a word is not key=value (not repeated here: it may be a secret)" : $"'{known}' needs a value ({known}=VALUE)";
        return new UsageException($"{what}; only a secret field ({string.Join(", ", section.Secrets)}) is written alone, to be asked for", "config");
    }
}
