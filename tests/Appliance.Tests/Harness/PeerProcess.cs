using Appliance.Tests.Support;

namespace Appliance.Tests.Harness;

/// <summary>
/// A real applianced process on a test host: <see cref="DaemonProcess"/> run through
/// `ip netns exec NS` with the simulated HAL, its own data directory and an API socket on the file
/// system, bound to the host's address. Failures surface as <see cref="HarnessException"/>.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly DaemonProcess _daemon;
    private readonly Action<string> _log;
    private readonly string _config;

    public TestHost Host { get; }
    public string DataDir => _daemon.DataDir;
    public PeerApi Api { get; }
    public int? Pid => _daemon.Running ? _daemon.Pid : null;
    public IEnumerable<string> Output => _daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The daemon's event log (data/logs/events.log.jsonl), for a failing test's output.</summary>
    public IReadOnlyList<string> EventLog()
    {
        var path = Path.Combine(DataDir, "logs", "events.log.jsonl");
        try { return File.Exists(path) ? File.ReadAllLines(path) : []; }
        catch (IOException) { return []; }
    }

    private PeerProcess(TestHost host, string workDir, Action<string> log, IReadOnlyList<string> args)
    {
        Host = host;
        Api = new PeerApi(Path.Combine(workDir, "api.sock"));
        // The daemon reads /etc/appliance/applianced.json when present: never the machine's own.
        _config = Path.Combine(workDir, "applianced.json");
        _daemon = new DaemonProcess(Path.Combine(workDir, "data"), Api.SocketPath, host.Address, ["--config", _config, .. args])
        {
            NetworkNamespace = host.Namespace, User = "harness",
        };
        _log = log;
    }

    /// <summary>Starts the daemon in <paramref name="host"/>'s namespace (with <paramref name="args"/> added) and waits until its API answers.</summary>
    public static async Task<PeerProcess> StartAsync(TestHost host, string workDir, Action<string>? log = null, IReadOnlyList<string>? args = null)
    {
        Directory.CreateDirectory(workDir);
        var peer = new PeerProcess(host, workDir, log ?? (_ => { }), args ?? []);
        await peer.StartAsync().ConfigureAwait(false);
        return peer;
    }

    /// <summary>applianced.dll is copied next to the test assembly by the project reference.</summary>
    public static string DaemonDll =>
        File.Exists(DaemonProcess.Dll) ? DaemonProcess.Dll
            : throw new HarnessException($"applianced.dll not found next to the tests in {AppContext.BaseDirectory}");

    public async Task StartAsync()
    {
        if (Pid is not null) throw new InvalidOperationException($"peer {Host.Name} already runs as {Pid}");
        if (File.Exists(Api.SocketPath)) File.Delete(Api.SocketPath);
        _ = DaemonDll; // a clear error when the build did not copy it
        File.WriteAllText(_config, "{}");
        _daemon.Launch();
        _log($"{Host.Name}: started applianced pid {_daemon.Pid}");
        try
        {
            await _daemon.WaitReadyAsync(ReadyTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new HarnessException($"applianced for {Host.Name}: {e.Message}");
        }
    }

    /// <summary>SIGTERM, as systemd stops the service; waits for the exit and returns its code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_daemon.Started) return 0;
        if (!_daemon.Running) return _daemon.ExitCode;
        try
        {
            await _daemon.StopAsync(StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new HarnessException($"applianced for {Host.Name} ignored SIGTERM for {StopTimeout.TotalSeconds:0} s and was killed");
        }
        _log($"{Host.Name}: stopped (exit {_daemon.ExitCode})");
        return _daemon.ExitCode;
    }

    /// <summary>SIGKILL: a crash or power cut, nothing flushed on purpose.</summary>
    public Task KillAsync()
    {
        if (!_daemon.Running) return Task.CompletedTask;
        _daemon.Kill();
        _log($"{Host.Name}: killed");
        return Task.CompletedTask;
    }

    public async Task RestartAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();
}
