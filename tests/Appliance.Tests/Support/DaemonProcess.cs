using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>
/// A real applianced process (`dotnet applianced.dll`, built next to the tests) with its own data
/// directory and API socket, optionally inside a network namespace (`ip netns exec NS`, which execs,
/// so the process id is the daemon's own and signals reach it directly). Captures stdout and stderr
/// for failure messages; disposing always kills a process that is still running.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(40);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);
    private const int SigKill = 9;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private Process? _process;

    public DaemonProcess(string dataDir, string socketPath, string? bind = null, IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        DataDir = dataDir;
        SocketPath = socketPath;
        Bind = bind;
        ExtraArgs = [.. extraArgs ?? []];
        Environment = environment ?? new Dictionary<string, string>();
    }

    public string DataDir { get; }
    public string SocketPath { get; }
    public string? Bind { get; }
    public IReadOnlyList<string> ExtraArgs { get; set; }
    public IReadOnlyDictionary<string, string> Environment { get; set; }
    public string StoreFile => Path.Combine(DataDir, "store.db");

    /// <summary>Network namespace to run in (`ip netns exec`); null runs in the test's own.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Words run before `dotnet` that exec it (e.g. `prlimit --nofile=N:N --`), so the pid is still the daemon's.</summary>
    public IReadOnlyList<string> Launcher { get; init; } = [];

    /// <summary>The `--hal` kind: "simulated" unless a test drives the real Linux one inside a namespace.</summary>
    public string Hal { get; init; } = "simulated";

    /// <summary>The user the API calls name (it shows in the daemon's change and event logs).</summary>
    public string User { get; init; } = "test";

    /// <summary>Where the process's output goes when disposed (a test's output), so a failure shows what the daemon said.</summary>
    public Action<string>? Log { get; init; }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "applianced.dll");

    /// <summary>The daemon build to run: <see cref="Dll"/>, or another build of it (another vendor key).</summary>
    public string Program { get; init; } = Dll;

    /// <summary>Name used in failure messages (the bind address, or the data directory).</summary>
    public string Name => Bind ?? Path.GetFileName(DataDir);

    public int Pid => _process?.Id ?? throw new InvalidOperationException("not started");
    public bool Running => _process is { HasExited: false };
    public int ExitCode => _process!.ExitCode;

    /// <summary>Everything the process wrote on stdout and stderr so far.</summary>
    public string Output
    {
        get { lock (_gate) return _output.ToString(); }
    }

    public IReadOnlyList<string> Arguments =>
    [
        // Releases beside the data, never the appliance's own /var/lib/appliance/software (ExtraArgs may override).
        // Bridges are asked only on loopback, where the tests' bridgesims run: the many tests that add a
        // bridge as a plain record send nothing off the host.
        Program, "--data-dir", DataDir, "--api-socket", SocketPath, "--install-root", DataDir + "-software",
        "--hal", Hal, .. Bind is null ? Array.Empty<string>() : ["--bind", Bind],
        // No HTTPS pages unless a test asks for them (ExtraArgs' --web-port comes later and wins): port 443 is the box's.
        .. Program == Dll ? ["--bridge-watch-networks", "127.0.0.0/8", "--web-port", "0"] : Array.Empty<string>(), .. ExtraArgs,
    ];

    /// <summary>Starts the process and returns at once (for start-up refusals).</summary>
    public void Launch()
    {
        if (Running) throw new InvalidOperationException($"{Name} is already running");
        _process?.Dispose();
        string[] prefix = [.. NetworkNamespace is null ? Array.Empty<string>() : ["ip", "netns", "exec", NetworkNamespace], .. Launcher, "dotnet"];
        var start = new ProcessStartInfo(prefix[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Skip(1)) start.ArgumentList.Add(a);
        foreach (var a in Arguments) start.ArgumentList.Add(a);
        start.Environment.Remove("NOTIFY_SOCKET"); // never talk to a real systemd by accident
        start.Environment.Remove("WATCHDOG_USEC");
        foreach (var (k, v) in Environment) start.Environment[k] = v;
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        _process = process;
        Append($"--- started pid {process.Id}: {start.FileName} {string.Join(' ', start.ArgumentList)}");
    }

    /// <summary>Starts the process and waits until its API answers `status`.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Launch();
        await WaitReadyAsync(timeout ?? StartTimeout);
    }

    /// <summary>Waits until the API answers `status`; fails at once (with the output) when the process exits.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? StartTimeout;
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < limit)
        {
            if (!Running)
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before its API answered:\n{Output}");
            try
            {
                await using var connection = await RawApiConnection.ConnectAsync(SocketPath, TimeSpan.FromSeconds(2));
                var reply = await connection.RequestAsync("status", null, TimeSpan.FromSeconds(5), User);
                if ((bool?)reply["ok"] == true) return;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                last = e;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name}: API did not answer status within {limit} (last error: {last?.Message}):\n{Output}");
    }

    /// <summary>One API call on a fresh connection: the result, or a <see cref="DaemonApiException"/>.</summary>
    public async Task<JsonNode> Api(string cmd, JsonObject? args = null)
    {
        var reply = await ApiReply(cmd, args);
        if ((bool?)reply["ok"] == true) return reply["result"]!;
        throw new DaemonApiException(cmd, reply["error"]!.AsObject());
    }

    /// <summary>One API call returning the whole reply ({ok, result|error}).</summary>
    public async Task<JsonObject> ApiReply(string cmd, JsonObject? args = null)
    {
        try
        {
            await using var connection = await RawApiConnection.ConnectAsync(SocketPath, CallTimeout);
            return await connection.RequestAsync(cmd, args, CallTimeout, User);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new IOException($"{Name}: API call {cmd} failed: {e.Message}\n--- daemon output:\n{Tail()}", e);
        }
    }

    /// <summary>SIGTERM, then waits for the exit; returns how long the stop took. Kills it when it does not stop.</summary>
    public async Task<TimeSpan> StopAsync(TimeSpan? timeout = null)
    {
        if (!Running) return TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        Signal(SigTerm);
        try
        {
            await _process!.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not stop within {timeout} of SIGTERM; killed it:\n{Tail()}");
        }
        return watch.Elapsed;
    }

    /// <summary>SIGKILL (no clean-up at all, like a power cut for the process) and waits for it to be gone.</summary>
    public void Kill()
    {
        if (!Running) return;
        Signal(SigKill);
        _process!.WaitForExit(10_000);
    }

    /// <summary>SIGSTOP: the process hangs with its sockets open (a frozen peer, not a dead one).</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>Clean stop and a fresh process with the same arguments.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Whether <see cref="Launch"/> ran (and the process was not disposed since).</summary>
    public bool Started => _process is not null;

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process!.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public string Tail(int lines = 60)
    {
        var all = Output.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    private void Signal(int signal)
    {
        if (kill(_process!.Id, signal) != 0 && Running)
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate) _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        await ChildProcesses.KillAsync(_process);
        Log?.Invoke($"----- applianced {Name} output -----\n{Output}");
        _process.Dispose();
        _process = null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
