using System.Text.RegularExpressions;

namespace Appliance.Daemon.Logs;

/// <summary>
/// Keeps a flood (a scan, hundreds of hostile connections) from flooding the event log: each kind of
/// line (its text with numbers, addresses and ports left out) gets at most <c>burst</c> lines per
/// window; the first line of that kind after the window says how many were dropped.
/// </summary>
public sealed partial class RateLimitedLog(Action<string> write, TimeProvider time, int burst = 5, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Start, int Written, int Suppressed)> _kinds = [];

    public void Write(string message)
    {
        var kind = Numbers().Replace(message, "#");
        string? line = null;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var k = _kinds.TryGetValue(kind, out var known) ? known : (Start: DateTimeOffset.MinValue, Written: 0, Suppressed: 0);
            if (now - k.Start > _window)
            {
                line = k.Suppressed > 0 ? $"{message} ({k.Suppressed} similar lines suppressed before this one)" : message;
                k = (now, 1, 0);
            }
            else if (k.Written < burst)
            {
                k.Written++;
                line = message;
            }
            else
            {
                k.Suppressed++;
            }
            _kinds[kind] = k;
            if (_kinds.Count > 1000) _kinds.Clear(); // kinds are few; this only bounds memory against odd input
        }
        if (line is not null) write(line);
    }

    [GeneratedRegex(@"[0-9a-fA-F:.]*[0-9][0-9a-fA-F:.]*")]
    private static partial Regex Numbers();
}
