using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>
/// A long transfer's progress (backup create --out, backup download, backup restore FILE|-, upgrade):
/// on a terminal one line redrawn with \r ("sending the backup b.tar.gz  42%  12.3 MB of 29.1 MB
/// 8.1 MB/s"), only when stdout is a terminal; with --json a {"progress":{...}} line on stderr at
/// most once a second and at the end, so stdout still carries the one result object scripts parse.
/// </summary>
internal sealed class Progress
{
    private static readonly TimeSpan LineEvery = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan JsonEvery = TimeSpan.FromSeconds(1);
    private readonly TextWriter? _line;
    private readonly TextWriter? _json;
    private readonly string _what;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _last;
    private int _width;
    private long _done;
    private long? _total;
    private bool _ended;

    private Progress(TextWriter? line, TextWriter? json, string what)
    {
        _line = line;
        _json = json;
        _what = what;
    }

    /// <summary>Progress of <paramref name="what"/> for this command's output: silent when neither a terminal nor --json wants it.</summary>
    public static Progress For(CommandContext c, string what) =>
        new(c.Host.OutputIsTerminal && !c.Output.Json ? c.Host.Out : null, c.Output.Json ? c.Host.Err : null, what);

    /// <summary><paramref name="done"/> bytes of <paramref name="total"/> (null: unknown, e.g. from a pipe).</summary>
    public void Report(long done, long? total)
    {
        (_done, _total) = (done, total);
        var now = _clock.Elapsed;
        if (_last is { } last && now - last < (_line is null ? JsonEvery : LineEvery))
            return;
        _last = now;
        Write(final: false);
    }

    /// <summary>The last figures, and the end of the terminal line: before the result is shown, and
    /// whether the transfer ended well or not (a second call does nothing).</summary>
    public void End()
    {
        if (_ended || _last is null && _done == 0)
            return;
        _ended = true;
        Write(final: true);
    }

    private void Write(bool final)
    {
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var rate = (long)(_done / seconds);
        int? percent = _total is > 0 ? (int)Math.Min(100, _done * 100 / _total.Value) : null;
        if (_line is not null)
        {
            var text = $"{_what}  {(percent is { } p ? p + "%  " : "")}{Bytes(_done)}{(_total is { } t ? " of " + Bytes(t) : "")}  {Bytes(rate)}/s";
            _line.Write("\r" + text.PadRight(_width));
            _width = text.Length;
            if (final)
                _line.WriteLine();
            _line.Flush();
        }
        if (_json is not null)
        {
            _json.WriteLine(new JsonObject
            {
                ["progress"] = new JsonObject
                {
                    ["what"] = _what,
                    ["bytes"] = _done,
                    ["total"] = _total,
                    ["percent"] = percent,
                    ["bytesPerSecond"] = rate,
                    ["done"] = final,
                },
            }.ToJsonString());
            _json.Flush();
        }
    }

    private static string Bytes(long n) => n switch
    {
        < 1000 => $"{n} B",
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{n / 1e3:0.0} kB"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{n / 1e6:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{n / 1e9:0.00} GB"),
    };
}
