namespace Appliance.Daemon.Config;

/// <summary>One non-blank, non-comment line of a pasted or seeded key list: the key, or why it was refused.</summary>
public sealed record SshKeyLine(int Number, SshPublicKey? Key, string? Refusal)
{
    /// <summary>"line 3: is not a key of an accepted type (...)".</summary>
    public string Describe() => $"line {Number}: {Refusal}";
}

/// <summary>Splits text in authorized_keys form (one key a line; '#' comments and blank lines skipped).</summary>
public static class SshKeyLines
{
    /// <summary>A few keys of a few hundred bytes; a larger input is not a key list.</summary>
    public const int MaxBytes = 64 * 1024;

    public static IReadOnlyList<SshKeyLine> Parse(string text)
    {
        var lines = new List<SshKeyLine>();
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            var trimmed = line.Trim(' ', '\t');
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            var key = SshPublicKey.Parse(trimmed, out var why);
            lines.Add(new SshKeyLine(number, key, why));
        }
        return lines;
    }
}
