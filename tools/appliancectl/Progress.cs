using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// A long operation's progress (backup create, backup restore, upgrade): what this side moves
/// (sending, receiving) and what the daemon reports as {"progress":{...}} events while it works
/// (PROTOCOL.md, "Progress"). On a terminal one line on stderr redrawn with \r ("restore extracting
/// 42%  12.3 MiB of 29.1 MiB  8.1 MiB/s"), only when stdout is a terminal too or carries the
/// command's data (`backup create --out -`, `restore -`); with --json one {"progress":{...}} object
/// a line on stderr, so stdout still carries the one result object scripts parse (or the data).
/// </summary>
internal sealed class Progress
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan JsonEvery = TimeSpan.FromSeconds(1);
    private readonly TextWriter? _line;
    private readonly TextWriter? _json;
    private readonly string _operation;
    private readonly int? _columns;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _last;
    private int _width;
    private (string Phase, long Done, long? Total)? _own;
    private TimeSpan _ownStarted;
    private bool _drawn;

    private Progress(TextWriter? line, TextWriter? json, string operation, int? columns)
    {
        _line = line;
        _json = json;
        _operation = operation;
        _columns = columns;
    }

    /// <summary>
    /// Progress of <paramref name="operation"/> ("backup", "restore", "upgrade") for this command's
    /// output: silent when neither a terminal nor --json wants it. <paramref name="streams"/>: stdin
    /// or stdout carries the command's data, so a line may go to stderr whatever stdout is.
    /// </summary>
    public static Progress For(CommandContext c, string operation, bool streams = false)
    {
        var line = !c.Output.Json && c.Host.ErrorIsTerminal && (c.Host.OutputIsTerminal || streams);
        return new(line ? c.Host.Err : null, c.Output.Json ? c.Host.Err : null, operation, c.Host.Columns);
    }

    /// <summary>True when anyone shows the progress: only then is the daemon asked for its events.</summary>
    public bool Wanted => _line is not null || _json is not null;

    /// <summary>This side's own transfer: <paramref name="done"/> bytes of <paramref name="total"/> (null: unknown, e.g. from a pipe).</summary>
    public void Report(string phase, long done, long? total)
    {
        var now = _clock.Elapsed;
        if (_own?.Phase != phase)
            _ownStarted = now; // the rate of this phase, not of the whole command
        _own = (phase, done, total);
        if (_last is { } last && now - last < (_line is null ? JsonEvery : LineEvery))
            return;
        _last = now;
        Write(OwnEvent());
    }

    /// <summary>A progress event from the daemon (its figures are shown as they come: it paces them).</summary>
    public void Show(JsonObject daemonEvent)
    {
        EndOwn();
        Write(daemonEvent);
    }

    /// <summary>The last figures of this side's transfer, and the end of the terminal line: before the
    /// result is shown, and whether the operation ended well or not (a second call does nothing more).</summary>
    public void End()
    {
        EndOwn();
        if (_drawn && _line is not null)
        {
            _line.WriteLine();
            _line.Flush();
        }
        _drawn = false;
    }

    /// <summary>The transfer's last figures once, when something else follows it.</summary>
    private void EndOwn()
    {
        if (_own is null)
            return;
        Write(OwnEvent());
        _own = null;
    }

    private JsonObject OwnEvent()
    {
        var (phase, done, total) = _own!.Value;
        var seconds = Math.Max((_clock.Elapsed - _ownStarted).TotalSeconds, 0.001);
        return new JsonObject
        {
            ["phase"] = phase,
            ["unit"] = "bytes",
            ["done"] = done,
            ["total"] = total,
            ["percent"] = total is > 0 ? (int)Math.Min(100, done * 100 / total.Value) : null,
            ["rate"] = Math.Round(done / seconds, 1),
            ["time"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        };
    }

    private void Write(JsonObject e)
    {
        if (_json is not null)
        {
            _json.WriteLine(new JsonObject { ["progress"] = e.DeepClone() }.ToJsonString());
            _json.Flush();
        }
        if (_line is null)
            return;
        var text = Line(_operation, e);
        // A line longer than the terminal wraps, and \r then redraws only its last part.
        if (_columns is { } room && text.Length > room - 1)
            text = text[..Math.Max(0, room - 1)];
        _line.Write("\r" + text.PadRight(_width));
        _width = text.Length;
        _drawn = true;
        _line.Flush();
    }

    /// <summary>"restore extracting  42%  12.3 MiB of 29.1 MiB  8.1 MiB/s"; figures the event lacks are left out.</summary>
    internal static string Line(string operation, JsonObject e)
    {
        var records = Text(e["unit"]) == "records";
        var done = Number(e["done"]) ?? 0;
        var total = Number(e["total"]);
        var parts = new List<string> { $"{operation} {Text(e["phase"])}".TrimEnd() };
        if (Number(e["percent"]) is { } percent)
            parts.Add($"{percent}%");
        if (done > 0 || total is not null)
            parts.Add(Amount(done, records) + (total is { } t ? " of " + Amount(t, records) : "") + (records ? " records" : ""));
        if (Number(e["rate"]) is { } rate && done > 0)
            parts.Add((records ? Amount(rate, records) + " records" : Amount(rate, records)) + "/s");
        return string.Join("  ", parts);
    }

    private static string Amount(long n, bool records) => records
        ? n.ToString("N0", CultureInfo.InvariantCulture)
        : n switch
        {
            < 1024 => $"{n} B",
            < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{n / 1024.0:0.0} KiB"),
            < 1024 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{n / (1024.0 * 1024):0.0} MiB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{n / (1024.0 * 1024 * 1024):0.00} GiB"),
        };

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : "";

    private static long? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? (long)double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture)
            : null;
}
