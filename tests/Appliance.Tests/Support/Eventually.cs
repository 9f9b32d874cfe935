using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>Polling for conditions that real processes reach on their own time.</summary>
public static class Eventually
{
    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; API and I/O errors count as "not yet".
    /// On timeout the message names what was awaited and the last observation.
    /// </summary>
    public static async Task<TimeSpan> WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what,
        Func<Task<string>>? describe = null, int pollMs = 50)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition().WaitAsync(timeout)) return watch.Elapsed;
            }
            catch (Exception e) when (e is DaemonApiException or IOException or TimeoutException)
            {
                last = e;
            }
            if (watch.Elapsed > timeout)
            {
                var seen = "";
                if (describe is not null)
                {
                    try { seen = await describe().WaitAsync(TimeSpan.FromSeconds(10)); }
                    catch (Exception e) when (e is DaemonApiException or IOException or TimeoutException) { seen = $"(describe failed: {e.Message})"; }
                }
                throw new TimeoutException($"not reached within {timeout}: {what}\nlast seen: {seen}\nlast error: {last?.Message}");
            }
            await Task.Delay(pollMs);
        }
    }
}
