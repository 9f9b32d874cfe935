using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Node;

/// <summary>One key of the admin account as stored in the shared ssh-keys collection.</summary>
public sealed record NamedSshKey(string Name, SshPublicKey Key);

/// <summary>
/// The admin account's SSH keys (shared "ssh-keys" collection): the rules that span its items, which
/// config.add/remove cannot see. A key is never stored twice, and the last key goes only while a
/// console password remains, so the box is never left without a way in.
/// </summary>
public sealed class SshKeys(ConfigStore config)
{
    public const string Section = "ssh-keys";

    /// <summary>The valid keys, by name (an invalid record is left to its alarm, as everywhere).</summary>
    public IReadOnlyList<NamedSshKey> List() =>
        config.Items(Section)
            .Select(i => (Name: RuleContext.Text(i, SectionDef.NameField), Line: RuleContext.Text(i, "key")))
            .Select(i => i.Name is null || i.Line is null ? null : SshPublicKey.Parse(i.Line, out _) is { } k ? new NamedSshKey(i.Name, k) : null)
            .OfType<NamedSshKey>()
            .OrderBy(k => k.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Adds every key or none. NAME names the first key (NAME-2, NAME-3 the others); without it each is named after its comment.</summary>
    public IReadOnlyList<NamedSshKey> Add(IReadOnlyList<SshKeyLine> lines, string? name, string user, string channel, string? onBehalfOf = null)
    {
        if (lines.FirstOrDefault(l => l.Key is null) is { } bad)
            throw new ApiException(ApiException.Validation, $"{bad.Describe()}; no key was added", Section, null, bad.Refusal);
        if (lines.Count == 0)
            throw ApiException.BadArgs("no key given (one OpenSSH public key a line: TYPE BASE64 [COMMENT]); no key was added");
        if (name is not null && !ItemNames.IsValid(name))
            throw new ApiException(ApiException.Validation, $"{Section} name '{TextRules.Escape(name)}' {ItemNames.Rule}", Section, TextRules.Escape(name), ItemNames.Rule);
        var existing = List();
        var taken = existing.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var added = new List<NamedSshKey>();
        foreach (var line in lines)
        {
            var key = line.Key!;
            if (existing.FirstOrDefault(k => k.Key.Fingerprint == key.Fingerprint) is { } same)
                throw new ApiException(ApiException.Conflict, $"line {line.Number}: this key ({key.Fingerprint}) is already installed as '{same.Name}'; no key was added", Section, same.Name);
            if (seen.TryGetValue(key.Fingerprint, out var first))
                throw new ApiException(ApiException.Conflict, $"line {line.Number}: the same key as line {first}; no key was added", Section);
            seen[key.Fingerprint] = line.Number;
            var itemName = name is null ? Unique(NameFromComment(key.Comment), taken)
                : added.Count == 0 ? name : Unique($"{name}-{added.Count + 1}", taken);
            if (!taken.Add(itemName))
                throw new ApiException(ApiException.Conflict, $"{Section} already has a key named '{itemName}'; remove it first or choose another name; no key was added", Section, itemName);
            added.Add(new NamedSshKey(itemName, key));
        }
        // One commit: every key or none.
        config.Change(Section, added.Select(k => new ItemChange(k.Name, null,
            ConfigOps.CreateItem(Section, k.Name, new Dictionary<string, string> { ["key"] = k.Key.Line }).Value, $"{Section}.{k.Name}")).ToList(),
            user, channel, onBehalfOf);
        return added;
    }

    /// <summary>Removes the key with that name or fingerprint ("SHA256:..." or without the prefix).</summary>
    public NamedSshKey Remove(string nameOrFingerprint, string user, string channel, string? onBehalfOf = null)
    {
        var keys = List();
        var fingerprint = nameOrFingerprint.StartsWith("SHA256:", StringComparison.Ordinal) ? nameOrFingerprint : "SHA256:" + nameOrFingerprint;
        var key = keys.FirstOrDefault(k => k.Name == nameOrFingerprint) ?? keys.FirstOrDefault(k => k.Key.Fingerprint == fingerprint)
            ?? throw new ApiException(ApiException.NotFound, $"no SSH key is named '{TextRules.Escape(nameOrFingerprint)}' or has that fingerprint (see ssh-keys list)", Section, TextRules.Escape(nameOrFingerprint));
        if (keys.Count == 1 && !PasswordHash.IsApplicable(RuleContext.Text(config.Read("admin"), "password")))
            throw new ApiException(ApiException.Conflict,
                $"'{key.Name}' is the last SSH key and no admin password is set for a console login, so no way in would remain; "
                + "set admin.password first (config set admin.password), or add another key", Section, key.Name);
        var current = config.Item(Section, key.Name);
        config.Change(Section, key.Name, current, null, user, channel, $"{Section}.{key.Name}", onBehalfOf);
        return key;
    }

    public static JsonObject Describe(NamedSshKey k) => new()
    {
        ["name"] = k.Name,
        ["type"] = k.Key.Type,
        ["bits"] = k.Key.Bits,
        ["fingerprint"] = k.Key.Fingerprint,
        ["comment"] = k.Key.Comment,
    };

    /// <summary>"alice@laptop" becomes "alice-laptop"; a key without a usable comment is "key".</summary>
    private static string NameFromComment(string comment)
    {
        var chars = comment.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        var name = new string(chars).Trim('-', '.');
        if (name.Length > 56) name = name[..56].TrimEnd('-', '.');
        return ItemNames.IsValid(name) ? name : "key";
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        var candidate = name;
        for (var n = 2; taken.Contains(candidate); n++) candidate = $"{name}-{n}";
        return candidate;
    }
}
