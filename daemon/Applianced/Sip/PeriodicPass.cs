using Appliance.Daemon.Cluster;

namespace Appliance.Daemon.Sip;

/// <summary>A pass every period until stopped (the linger, the clean-up of conferences without a record); a pass that fails is reported and the next one comes.</summary>
internal static class PeriodicPass
{
    public static Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken ct) =>
        RunAsync(period, time, async c => { await pass(c); return true; }, failed, wake: null, ct);

    /// <summary>
    /// As above, but a pass that returns false found nothing to look after: the loop then sleeps
    /// until <paramref name="wake"/> is set instead of waking every period to find nothing again (an
    /// idle daemon's timer wake-ups, issue 19). A pass that fails counts as one with work left.
    /// </summary>
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task<bool>> pass, Action<Exception> failed, Signal? wake, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(period, time, ct);
                var more = true;
                try { more = await pass(ct); }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    failed(e);
                }
                if (!more && wake is not null) await wake.WaitAsync(Timeout.InfiniteTimeSpan, ct);
            }
        }
        catch (OperationCanceledException) { }
    }
}
