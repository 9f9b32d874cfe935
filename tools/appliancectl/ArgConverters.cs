using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Appliance.Ctl;

/// <summary>Checks and converts argument words before anything is sent.</summary>
internal static partial class ArgConverters
{
    /// <summary>ISO-8601, or an age like 30s, 10m, 2h, 1d, 1w; sent as ISO-8601 UTC.</summary>
    public static JsonNode Since(string text) => Since(text, DateTimeOffset.UtcNow);

    public static JsonNode Since(string text, DateTimeOffset now)
    {
        var m = Age().Match(text);
        if (m.Success)
        {
            var n = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = m.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(7 * n),
            };
            return Iso(now - span);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var t)
            && IsoLike().IsMatch(text))
            return Iso(t);
        throw new UsageException(
            $"--since: '{text}' is not a time; give ISO-8601 (2026-11-25T10:00:00Z) or an age like 10m, 2h, 1d");
    }

    public static JsonNode PositiveInt(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? JsonValue.Create(n)
            : throw new UsageException($"'{text}' is not a positive whole number");

    /// <summary>A local file the CLI reads (a password file): a typo is caught here, where the message can name it.</summary>
    public static JsonNode ExistingFile(string text)
    {
        var full = Path.GetFullPath(text);
        return File.Exists(full) ? JsonValue.Create(full) : throw new UsageException($"no such file: {full}");
    }

    private static JsonValue Iso(DateTimeOffset t) =>
        JsonValue.Create(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(\d{1,9})([smhdw])$")]
    private static partial Regex Age();

    [GeneratedRegex(@"^\s*\d{4}-\d{2}-\d{2}")]
    private static partial Regex IsoLike();
}
