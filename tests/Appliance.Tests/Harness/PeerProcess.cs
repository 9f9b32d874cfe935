using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Appliance.Tests.Harness;

/// <summary>
/// A real applianced process on a test host: `ip netns exec NS dotnet applianced.dll` with the
/// simulated HAL, its own data directory and an API socket on the file system. `ip netns exec`
/// execs the command, so the process id is the daemon's own and signals reach it directly.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Action<string> _log;
    private Process? _process;

    public TestHost Host { get; }
    public string DataDir { get; }
    public PeerApi Api { get; }
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;
    public IEnumerable<string> Output => _output;

    /// <summary>The daemon's event log (data/logs/events.log.jsonl), for a failing test's output.</summary>
    public IReadOnlyList<string> EventLog()
    {
        var path = Path.Combine(DataDir, "logs", "events.log.jsonl");
        try { return File.Exists(path) ? File.ReadAllLines(path) : []; }
        catch (IOException) { return []; }
    }

    private PeerProcess(TestHost host, string workDir, Action<string> log)
    {
        Host = host;
        DataDir = Path.Combine(workDir, "data");
        Api = new PeerApi(Path.Combine(workDir, "api.sock"));
        _log = log;
    }

    /// <summary>Starts the daemon in <paramref name="host"/>'s namespace and waits until its API answers.</summary>
    public static async Task<PeerProcess> StartAsync(TestHost host, string workDir, Action<string>? log = null)
    {
        Directory.CreateDirectory(workDir);
        var peer = new PeerProcess(host, workDir, log ?? (_ => { }));
        await peer.StartAsync().ConfigureAwait(false);
        return peer;
    }

    /// <summary>applianced.dll is copied next to the test assembly by the project reference.</summary>
    public static string DaemonDll =>
        Path.Combine(AppContext.BaseDirectory, "applianced.dll") is var dll && File.Exists(dll)
            ? dll : throw new HarnessException($"applianced.dll not found next to the tests in {AppContext.BaseDirectory}");

    public async Task StartAsync()
    {
        if (Pid is not null) throw new InvalidOperationException($"peer {Host.Name} already runs as {Pid}");
        if (File.Exists(Api.SocketPath)) File.Delete(Api.SocketPath);
        var info = new ProcessStartInfo("ip")
        {
            ArgumentList = { "netns", "exec", Host.Namespace, "dotnet", DaemonDll, "--hal", "simulated",
                "--data-dir", DataDir, "--api-socket", Api.SocketPath, "--bind", Host.Address },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The daemon reads /etc/appliance/applianced.json when present: never the machine's own.
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(WriteEmptyConfig());
        var process = Process.Start(info) ?? throw new HarnessException($"could not start applianced for {Host.Name}");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _log($"{Host.Name}: started applianced pid {process.Id}");
        await WaitReadyAsync().ConfigureAwait(false);
    }

    private string WriteEmptyConfig()
    {
        var path = Path.Combine(Path.GetDirectoryName(DataDir)!, "applianced.json");
        File.WriteAllText(path, "{}");
        return path;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 2000) _output.TryDequeue(out _);
    }

    private async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process!.HasExited)
                throw new HarnessException($"applianced for {Host.Name} exited with {_process.ExitCode} before its API answered:\n{string.Join('\n', _output)}");
            try
            {
                await Api.CallAsync("status").ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or PeerApiException or IOException)
            {
                if (deadline.Elapsed > ReadyTimeout)
                    throw new HarnessException($"applianced for {Host.Name} did not answer on {Api.SocketPath} within {ReadyTimeout.TotalSeconds:0} s: {e.Message}");
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM, as systemd stops the service; waits for the exit and returns its code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is not { HasExited: false } p) return _process?.ExitCode ?? 0;
        if (kill(p.Id, 15) != 0) throw new HarnessException($"kill -TERM {p.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            await p.WaitForExitAsync().WaitAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            p.Kill();
            throw new HarnessException($"applianced for {Host.Name} ignored SIGTERM for {StopTimeout.TotalSeconds:0} s and was killed");
        }
        _log($"{Host.Name}: stopped (exit {p.ExitCode})");
        return p.ExitCode;
    }

    /// <summary>SIGKILL: a crash or power cut, nothing flushed on purpose.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } p) return;
        p.Kill();
        await p.WaitForExitAsync().WaitAsync(StopTimeout).ConfigureAwait(false);
        _log($"{Host.Name}: killed");
    }

    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync().ConfigureAwait(false); }
        catch (TimeoutException) { }
        _process?.Dispose();
        _process = null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
