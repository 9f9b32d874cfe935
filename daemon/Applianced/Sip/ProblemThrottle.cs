namespace Appliance.Daemon.Sip;

/// <summary>
/// Logs what the SIP stack dropped at most once per interval, with how many were left out, so a
/// flood of garbage from the network cannot fill the event log.
/// </summary>
internal sealed class ProblemThrottle(TimeProvider time, Action<string> log)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private DateTimeOffset _last = DateTimeOffset.MinValue;
    private int _suppressed;

    public void Report(string problem)
    {
        int suppressed;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now - _last < Interval)
            {
                _suppressed++;
                return;
            }
            _last = now;
            suppressed = _suppressed;
            _suppressed = 0;
        }
        log(suppressed == 0 ? problem : $"{problem} (and {suppressed} more since the last report)");
    }
}
