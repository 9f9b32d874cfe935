using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>
/// tools/bridgesim as a real process (`dotnet bridgesim.dll`, built next to the tests) on its own
/// loopback address: HTTP on <see cref="HttpPort"/>, SIP on <see cref="SipPort"/>, HTTPS on <see cref="HttpsPort"/> when a
/// certificate is given. Start, kill and start again on the same address and ports; disposing
/// kills a process still running.
/// </summary>
public sealed class BridgeSimProcess : IAsyncDisposable
{
    public const int HttpPort = 8080;
    public const int HttpsPort = 8443;
    /// <summary>The SIP user agent's port (UDP and TCP), on the simulator's own address like the others.</summary>
    public const int SipPort = 25060;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    private Process? _process;

    public BridgeSimProcess(string address, IEnumerable<string>? args = null)
    {
        Address = address;
        Args = [.. args ?? []];
    }

    public string Address { get; }
    public IReadOnlyList<string> Args { get; set; }
    /// <summary>The network namespace to run in (`ip netns exec`), or null for this one.</summary>
    public string? Namespace { get; init; }
    public bool Running => _process is { HasExited: false };

    public string Output => string.Join('\n', _lines);

    /// <summary>Starts it and waits until it says it listens (and returns when).</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (Running) throw new InvalidOperationException("bridgesim is already running");
        _process?.Dispose();
        var start = new ProcessStartInfo(Namespace is null ? "dotnet" : "ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Namespace is null ? [] : new[] { "netns", "exec", Namespace, "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "bridgesim.dll"));
        start.ArgumentList.Add("--http");
        start.ArgumentList.Add($"{Address}:{HttpPort}");
        start.ArgumentList.Add("--sip");
        start.ArgumentList.Add($"{Address}:{SipPort}");
        foreach (var a in Args) start.ArgumentList.Add(a);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) _lines.Enqueue(e.Data);
            if (e.Data?.StartsWith("bridgesim: listening on", StringComparison.Ordinal) == true) listening.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) _lines.Enqueue(e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var exited = process.WaitForExitAsync();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        if (await Task.WhenAny(listening.Task, exited, Task.Delay(limit)) != listening.Task)
            throw new TimeoutException($"bridgesim on {Address} did not start listening within {limit}:\n{Output}");
    }

    /// <summary>SIGKILL: the bridge is gone at once, connections reset.</summary>
    public void Kill()
    {
        if (!Running) return;
        _process!.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process!.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        await ChildProcesses.KillAsync(_process);
        _process.Dispose();
        _process = null;
    }
}
