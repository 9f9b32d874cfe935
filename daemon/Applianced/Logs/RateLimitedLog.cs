namespace Appliance.Daemon.Logs;

/// <summary>
/// Keeps a flood (a scan, hundreds of hostile connections) from flooding the event log: at most
/// <c>burst</c> lines per window; the next line after a quiet spell says how many were dropped.
/// </summary>
public sealed class RateLimitedLog(Action<string> write, TimeProvider time, int burst = 5, TimeSpan? window = null)
{
    private readonly TimeSpan _window = window ?? TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private DateTimeOffset _windowStart = DateTimeOffset.MinValue;
    private int _written;
    private int _suppressed;

    public void Write(string message)
    {
        string? line = null;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _windowStart > _window)
            {
                line = _suppressed > 0 ? $"{message} ({_suppressed} similar lines suppressed before this one)" : message;
                (_windowStart, _written, _suppressed) = (now, 1, 0);
            }
            else if (_written < burst)
            {
                _written++;
                line = message;
            }
            else
            {
                _suppressed++;
            }
        }
        if (line is not null) write(line);
    }
}
