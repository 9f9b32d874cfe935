using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>Shared helpers: the BENCH line, percentiles, temp dirs, free ports, timing.</summary>
internal static class Bench
{
    public static void Report(string name, JsonObject figures)
    {
        var line = new JsonObject { ["bench"] = name };
        foreach (var (k, v) in figures) line[k] = v?.DeepClone();
        // Other work on the machine moves every figure; the 1-minute load average says how much there was.
        line["load1"] = LoadAverage();
        Console.WriteLine($"BENCH {line.ToJsonString()}");
    }

    public static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>
    /// Repeats <paramref name="step"/> for <paramref name="time"/>: tiered JIT only settles on its
    /// optimized code after a method has run a while, and a floor measured before that (LiteDB in a
    /// fresh process) came out at half its speed in some runs.
    /// </summary>
    public static void WarmUp(TimeSpan time, Action<int> step)
    {
        var until = Stopwatch.GetTimestamp() + (long)(time.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; Stopwatch.GetTimestamp() < until; i++) step(i);
    }

    public static double Round(double v, int digits = 3) => Math.Round(v, digits);

    public static double Ms(long fromTimestamp, long toTimestamp) => Stopwatch.GetElapsedTime(fromTimestamp, toTimestamp).TotalMilliseconds;

    /// <summary>A port free on every loopback address right now (the peers all share one replication port).</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Any, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Polls until the condition holds; throws with the description when it does not in time.</summary>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, int pollMs = 2) =>
        WaitUntilAsync(condition, timeout, () => what, pollMs);

    /// <summary>As above; the description is built only on failure, so it can show the state at that time.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> what, int pollMs = 2)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"{what()} did not happen within {timeout.TotalSeconds:0.#} s");
            await Task.Delay(pollMs);
        }
    }

    /// <summary>A 200-byte conference-status value, as an applier would write it.</summary>
    public static string ConferenceStatus(int writer, long n)
    {
        var head = $"{{\"id\":\"conf-{writer}-{n}\",\"state\":\"active\",\"participants\":{n % 50},\"pad\":\"";
        return head + new string('x', 200 - head.Length - 2) + "\"}";
    }

    public static string BenchDll(string name) => Path.Combine(AppContext.BaseDirectory, name);
}

/// <summary>A temp directory removed with everything in it when disposed.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("abench-").FullName;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException e) { Console.Error.WriteLine($"bench: could not remove {Path}: {e.Message}"); }
    }
}
