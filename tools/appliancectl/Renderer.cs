using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>Renders any result for people (PROTOCOL.md): scalars as aligned `key  value` lines,
/// arrays of flat objects as aligned tables, anything deeper as indented blocks.</summary>
internal sealed partial class Renderer(TextWriter output)
{
    private const string Gap = "  ";

    public void Result(JsonObject result)
    {
        if (result["title"] is JsonValue title)
        {
            var text = Scalar(title);
            output.WriteLine(text);
            output.WriteLine(new string('-', text.Length));
        }
        var body = result.Where(p => p.Key is not ("title" or "warnings")).ToList();
        // A result that is just one table (alarms, entries, checks) reads best without a heading.
        if (body is [{ Value: JsonArray entries }] && IsLog(entries))
            LogEntries(entries);
        else if (body is [{ Value: JsonArray only }] && IsTable(only))
            Table(only.Cast<JsonObject>().ToList(), 0);
        else
            Object(body, 0);
    }

    /// <summary>One follow-stream entry: a log entry as `log` shows it, anything else on one line, fields in the daemon's order.</summary>
    public void Entry(JsonObject entry)
    {
        if (IsLogEntry(entry))
            LogEntry(entry, Who(entry).Length);
        else
            output.WriteLine(string.Join(Gap, entry.Select(p => IsScalar(p.Value) ? Scalar(p.Value) : p.Value!.ToJsonString())));
    }

    private void Object(IReadOnlyList<KeyValuePair<string, JsonNode?>> props, int indent)
    {
        var width = props.Where(p => IsScalar(p.Value)).Select(p => p.Key.Length).DefaultIfEmpty(0).Max();
        var pad = new string(' ', indent);
        foreach (var (key, value) in props)
        {
            if (IsScalar(value))
            {
                output.WriteLine((pad + key.PadRight(width) + Gap + Scalar(value)).TrimEnd());
                continue;
            }
            output.WriteLine(pad + key + ":");
            if (value is JsonObject obj)
                Object(obj.ToList(), indent + 2);
            else
                List((JsonArray)value!, indent + 2);
        }
    }

    private void List(JsonArray items, int indent)
    {
        if (IsTable(items))
        {
            Table(items.Cast<JsonObject>().ToList(), indent);
            return;
        }
        var first = true;
        foreach (var item in items)
        {
            if (!first)
                output.WriteLine();
            first = false;
            if (item is JsonObject obj)
                Object(obj.ToList(), indent);
            else
                output.WriteLine(new string(' ', indent) + (IsScalar(item) ? Scalar(item) : item!.ToJsonString()));
        }
    }

    private static bool IsTable(JsonArray items) =>
        items.Count > 0 && items.All(n => n is JsonObject row && row.All(p => IsScalar(p.Value)));

    private void Table(List<JsonObject> rows, int indent)
    {
        // The first row's keys in order, then any key a later row adds: the daemon leaves out null
        // fields (log entries), and a column must not vanish because the first row lacked it.
        var columns = rows.SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        var cells = rows.Select(r => columns.Select(c => Cell(r[c])).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length))).ToArray();
        var pad = new string(' ', indent);
        output.WriteLine(Line(pad, columns, widths));
        foreach (var row in cells)
            output.WriteLine(Line(pad, row, widths));
    }

    private static string Cell(JsonNode? value) => Scalar(value) is { Length: > 0 } text ? text : "-";

    private static string Line(string pad, IReadOnlyList<string> cells, int[] widths) =>
        (pad + string.Join(Gap, cells.Select((c, i) => c.PadRight(widths[i])))).TrimEnd();
}
