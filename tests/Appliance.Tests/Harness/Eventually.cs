using System.Diagnostics;

namespace Appliance.Tests.Harness;

/// <summary>Polls a condition of a running system until it holds or a deadline passes; the failure names what was awaited and what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(string what, Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        string last = "nothing yet";
        while (true)
        {
            try
            {
                var value = await probe().WaitAsync(timeout).ConfigureAwait(false);
                if (done(value)) return value;
                last = Describe(value);
            }
            catch (Exception e) when (e is PeerApiException or IOException or System.Net.Sockets.SocketException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"waited {timeout.TotalSeconds:0.#} s for {what}; last seen: {last}");
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        System.Collections.IDictionary d => string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}={d[k]}")),
        IEnumerable<KeyValuePair<string, string>> kv => string.Join(", ", kv.Select(p => $"{p.Key}={p.Value}")),
        IEnumerable<string> list => $"[{string.Join(", ", list)}]",
        _ => value?.ToString() ?? "null",
    };
}
