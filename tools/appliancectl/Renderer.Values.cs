using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

internal sealed partial class Renderer
{
    /// <summary>A duration the daemon gives in seconds (uptimeSeconds) is shown under its name
    /// without the unit (uptime), as "3 d 4 h".</summary>
    private const string SecondsSuffix = "Seconds";

    private static string Label(string key, JsonNode? value) =>
        IsSeconds(key, value) ? key[..^SecondsSuffix.Length] : key;

    /// <summary>What people see for a scalar: durations in words, ISO-8601 times in local time.</summary>
    internal static string Display(string key, JsonNode? value)
    {
        if (IsSeconds(key, value))
            return PeopleTime.Duration(value!.GetValue<double>());
        var text = Scalar(value);
        return value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? PeopleTime.LocalIfTime(text) : text;
    }

    private static bool IsSeconds(string key, JsonNode? value) =>
        key.Length > SecondsSuffix.Length && key.EndsWith(SecondsSuffix, StringComparison.Ordinal)
        && value is JsonValue v && v.GetValueKind() == JsonValueKind.Number;

    /// <summary>Scalars, and lists of scalars (shown comma-separated), fit on one line.</summary>
    internal static bool IsScalar(JsonNode? node) =>
        node is null or JsonValue || node is JsonArray a && a.All(n => n is null or JsonValue);

    internal static string Scalar(JsonNode? node) => node switch
    {
        null => "-",
        JsonArray { Count: 0 } => "(none)",
        JsonArray a => string.Join(", ", a.Select(Scalar)),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => Clean(v.GetValue<string>()),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "-",
        },
        _ => node.ToJsonString(),
    };

    /// <summary>Control characters from the daemon (e.g. in a log text) must not drive the terminal.</summary>
    private static string Clean(string s) =>
        s.Any(char.IsControl)
            ? string.Concat(s.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}") : c.ToString()))
            : s;
}
