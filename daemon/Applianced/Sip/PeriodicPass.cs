namespace Appliance.Daemon.Sip;

/// <summary>A pass every period until stopped (the linger, the clean-up of conferences without a record); a pass that fails is reported and the next one comes.</summary>
internal static class PeriodicPass
{
    public static async Task RunAsync(TimeSpan period, TimeProvider time, Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try { await pass(ct); }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    failed(e);
                }
            }
        }
        catch (OperationCanceledException) { }
    }
}
