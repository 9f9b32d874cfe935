using System.Diagnostics;

namespace Appliance.Bench;

/// <summary>A real applianced process (the applianced.dll built next to the bench, or the published one BENCH_DAEMON names) on a temp data dir.</summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly TempDir? _ownDir;
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    public string Socket { get; }
    public int Pid => _process.Id;
    public long StartedAt { get; }

    /// <param name="dataDir">null: a temp dir owned (and removed) by this object.</param>
    private DaemonProcess(string? dataDir, string[] extra)
    {
        if (dataDir is null)
        {
            _ownDir = new TempDir();
            dataDir = _ownDir.Sub("data");
        }
        Socket = Path.Combine(dataDir, "api.sock");
        // BENCH_DAEMON: a published applianced (what the box runs), else the build beside the bench.
        var published = Environment.GetEnvironmentVariable("BENCH_DAEMON");
        var info = new ProcessStartInfo(string.IsNullOrEmpty(published) ? "dotnet" : published)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (string.IsNullOrEmpty(published)) info.ArgumentList.Add(Bench.BenchDll("applianced.dll"));
        foreach (var a in new[] { "--data-dir", dataDir, "--api-socket", Socket, "--hal", "simulated" }.Concat(extra))
            info.ArgumentList.Add(a);
        StartedAt = Stopwatch.GetTimestamp();
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet applianced.dll");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static DaemonProcess Start(string? dataDir = null, params string[] extra) => new(dataDir, extra);

    /// <summary>
    /// Ports for the peers of one benchmark cluster, all free now. Both cluster ports and the HTTPS
    /// port are given: the listeners share a port with another process that binds it too (SO_REUSEPORT),
    /// so two benchmark runs on this shared machine left on 4371 or 443 would send each other's
    /// recovery connections to the wrong cluster (key mismatches, retries, idle CPU that is not ours).
    /// </summary>
    public static string[] ClusterPorts() =>
        ["--replication-port", Bench.FreePort().ToString(), "--recovery-port", Bench.FreePort().ToString(), "--web-port", Bench.FreePort().ToString()];

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20) _lastLines.Dequeue();
        }
    }

    /// <summary>Milliseconds from process start until the API answers `status`.</summary>
    public async Task<double> WaitReadyAsync(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"applianced exited with {_process.ExitCode}: {string.Join('\n', _lastLines)}");
            if (File.Exists(Socket))
            {
                try
                {
                    using var client = await ApiClient.ConnectAsync(Socket);
                    await client.CallAsync("status");
                    return Bench.Ms(StartedAt, Stopwatch.GetTimestamp());
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException) { }
            }
            await Task.Delay(2);
        }
        throw new TimeoutException($"applianced did not answer status within {timeout.TotalSeconds} s: {string.Join('\n', _lastLines)}");
    }

    /// <summary>Resident set size from /proc/PID/status, in MiB.</summary>
    public double RssMb()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }

    public void Signal(string signal)
    {
        // stderr kept quiet: the process may have just ended, which is fine here.
        var info = new ProcessStartInfo("kill") { RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add($"-{signal}");
        info.ArgumentList.Add(_process.Id.ToString());
        using var kill = Process.Start(info)!;
        kill.StandardError.ReadToEnd();
        kill.WaitForExit();
    }

    /// <summary>SIGTERM (the daemon's orderly stop), SIGKILL if it does not end within 10 s.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // Process.Kill only sends SIGKILL; the orderly stop is SIGTERM (SIGCONT in case it was stopped).
                Signal("CONT");
                Signal("TERM");
                if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
        }
        finally
        {
            _process.Dispose();
            _ownDir?.Dispose();
        }
    }
}
