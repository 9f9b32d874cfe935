using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

internal sealed partial class Renderer
{
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
