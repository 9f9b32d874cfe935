using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// Log entries (event and configuration log) for people: one heading line per entry (time, level,
/// who and how, message), then the field's old and new values indented below it, everything
/// wrapped at the terminal's width (<see cref="LogWidth"/>). As a table, one long value made every
/// row that wide.
/// </summary>
internal sealed partial class Renderer
{
    internal const int Width = 100;

    /// <summary>The width log entries wrap at: the terminal's (or $COLUMNS), else <see cref="Width"/>.</summary>
    private int LogWidth => columns ?? Width;
    private const int DetailIndent = 4;

    /// <summary>A log entry has a time and a message; the rest is optional.</summary>
    private static bool IsLog(JsonArray items) => items.Count > 0 && items.All(n => n is JsonObject e && IsLogEntry(e));

    internal static bool IsLogEntry(JsonObject entry) => entry["time"] is JsonValue && entry["message"] is JsonValue;

    private void LogEntries(JsonArray entries)
    {
        var whoWidth = Math.Min(24, entries.Select(e => Who((JsonObject)e!).Length).Max());
        foreach (var entry in entries)
            LogEntry((JsonObject)entry!, whoWidth);
    }

    private void LogEntry(JsonObject entry, int whoWidth)
    {
        var head = $"{Time(entry["time"])}  {Scalar(entry["level"]),-8}  {Who(entry).PadRight(whoWidth)}  ";
        WriteWrapped(head, Scalar(entry["message"]), head.Length);
        var field = entry["field"] is JsonValue f ? Scalar(f) : null;
        if (field is not null && !Scalar(entry["message"]).Contains(field, StringComparison.Ordinal))
            WriteWrapped(new string(' ', DetailIndent) + "field: ", field, DetailIndent + 7);
        foreach (var name in new[] { "old", "new" })
        {
            if (entry[name] is JsonValue v)
                WriteWrapped(new string(' ', DetailIndent) + name + ":   ", Scalar(v), DetailIndent + 7);
        }
    }

    /// <summary>Who asked (the OS user, the web user acted for) and through which channel.</summary>
    private static string Who(JsonObject entry)
    {
        var user = entry["user"] is JsonValue u ? Scalar(u) : "";
        if (entry["onBehalfOf"] is JsonValue behalf) user += $" for {Scalar(behalf)}";
        var channel = entry["channel"] is JsonValue c ? Scalar(c) : "";
        return user.Length == 0 ? channel : channel.Length == 0 ? user : $"{user} ({channel})";
    }

    /// <summary>Local time to the second, as every time shown to people (PeopleTime).</summary>
    private static string Time(JsonNode? time) => PeopleTime.LocalIfTime(Scalar(time));

    /// <summary>
    /// <paramref name="prefix"/> then <paramref name="text"/>, broken near the edge, later lines
    /// indented by <paramref name="hang"/>.
    /// </summary>
    private void WriteWrapped(string prefix, string text, int hang)
    {
        var width = LogWidth;
        if (prefix.Length > width - 20)
        {
            // A very long name leaves no room beside it: the heading alone (cut at the edge), the text below.
            for (var at = 0; at < prefix.TrimEnd().Length; at += width)
                output.WriteLine(prefix.TrimEnd()[at..Math.Min(prefix.TrimEnd().Length, at + width)]);
            (prefix, hang) = (new string(' ', DetailIndent), DetailIndent);
        }
        var line = prefix;
        var rest = text;
        while (line.Length + rest.Length > width && width - line.Length > 10)
        {
            var room = width - line.Length;
            // After a comma first (between a JSON value's fields), else at a space, else at the edge.
            var cut = rest.LastIndexOf(',', room - 1);
            if (cut < room / 2) cut = rest.LastIndexOf(' ', room - 1);
            cut = cut < room / 2 ? room : cut + 1;
            output.WriteLine((line + rest[..cut]).TrimEnd());
            rest = rest[cut..].TrimStart();
            line = new string(' ', hang);
        }
        output.WriteLine((line + rest).TrimEnd());
    }
}
