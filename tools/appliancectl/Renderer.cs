using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>Renders any result for people (PROTOCOL.md): scalars as aligned `key  value` lines,
/// arrays of flat objects as aligned tables, anything deeper as indented blocks. With
/// <paramref name="columns"/> (the terminal's width, unless --wide) long values wrap and tables
/// cut their widest cells so that no line passes the edge.</summary>
internal sealed partial class Renderer(TextWriter output, int? columns = null)
{
    private const string Gap = "  ";

    /// <summary>A program's output as lines of text (diag.ping, diag.traceroute): shown as lines, not a list.</summary>
    private const string OutputKey = "output";

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
        var width = props.Where(p => IsScalar(p.Value)).Select(p => Label(p.Key, p.Value).Length).DefaultIfEmpty(0).Max();
        var pad = new string(' ', indent);
        foreach (var (key, value) in props)
        {
            if (key == OutputKey && value is JsonArray lines && lines.All(l => l is JsonValue))
            {
                output.WriteLine(pad + key + ":");
                foreach (var line in lines)
                    TextWrap.Hanging(output, pad + "  ", Scalar(line), columns);
                continue;
            }
            if (IsScalar(value))
            {
                TextWrap.Hanging(output, pad + Label(key, value).PadRight(width) + Gap, Display(key, value), columns);
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
        var names = rows.SelectMany(r => r.Select(p => p.Key)).Distinct().ToList();
        var headers = names.Select(n => Label(n, rows.Select(r => r[n]).FirstOrDefault(v => v is not null))).ToList();
        var cells = rows.Select(r => names.Select(c => Cell(c, r[c])).ToArray()).ToList();
        var widths = headers.Select((c, i) => Math.Max(c.Length, cells.Max(r => r[i].Length))).ToArray();
        if (columns is { } room)
            Fit(widths, headers, room - indent - Gap.Length * (widths.Length - 1));
        var pad = new string(' ', indent);
        foreach (var row in cells.Prepend(headers.ToArray()))
        {
            // A cell wider than its column wraps under itself (nothing is lost; --wide keeps rows on one line).
            var wrapped = row.Select((c, i) => TextWrap.Lines(c, widths[i])).ToArray();
            for (var n = 0; n < wrapped.Max(w => w.Count); n++)
                output.WriteLine((pad + string.Join(Gap, wrapped.Select((w, i) => (n < w.Count ? w[n] : "").PadRight(widths[i])))).TrimEnd());
        }
    }

    private static string Cell(string key, JsonNode? value) => Display(key, value) is { Length: > 0 } text ? text : "-";
}
