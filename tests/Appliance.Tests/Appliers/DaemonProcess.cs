using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Appliance.Tests.Appliers;

/// <summary>
/// A real applianced process (the build's applianced.dll), optionally inside a network namespace
/// through <c>ip netns exec</c>, driven over its API socket. Killed on dispose; its output goes to the test log.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ITestOutputHelper _output;
    private readonly string? _namespace;
    private readonly string[] _args;
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public string ApiSocket { get; }

    public DaemonProcess(ITestOutputHelper output, string? networkNamespace, string apiSocket, string[] args, Dictionary<string, string>? environment = null)
    {
        _output = output;
        _namespace = networkNamespace;
        ApiSocket = apiSocket;
        _args = args;
        _environment = environment ?? [];
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "applianced.dll");

    public async Task StartAsync()
    {
        var dotnet = Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet";
        var psi = new ProcessStartInfo(_namespace is null ? dotnet : "ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (_namespace is not null) foreach (var a in new[] { "netns", "exec", _namespace, dotnet }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(Dll);
        foreach (var a in _args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--api-socket");
        psi.ArgumentList.Add(ApiSocket);
        foreach (var (k, v) in _environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine("ERR " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitReadyAsync();
    }

    /// <summary>Waits until the API answers status (also after a restart).</summary>
    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"applianced exited with {_process.ExitCode}:\n{Log}");
            try
            {
                await CallAsync("status");
                return;
            }
            catch (Exception e) when (e is SocketException or IOException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async Task<JsonNode> CallAsync(string cmd, JsonObject? args = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(ApiSocket)).WaitAsync(Timeout);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = new JsonObject { ["v"] = 1, ["cmd"] = cmd, ["args"] = args ?? [], ["user"] = "admin", ["channel"] = "test" };
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n")).AsTask().WaitAsync(Timeout);
        using var reader = new StreamReader(stream);
        var line = await reader.ReadLineAsync().WaitAsync(Timeout) ?? throw new IOException($"{cmd}: the daemon closed the connection");
        var reply = JsonNode.Parse(line)!;
        if (reply["ok"]!.GetValue<bool>()) return reply["result"]!;
        throw new InvalidOperationException($"{cmd} failed: {reply["error"]!.ToJsonString()}");
    }

    public Task<JsonNode> SetAsync(string path, params string[] values) =>
        CallAsync("config.set", new JsonObject { ["path"] = path, ["values"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()) });

    public async Task<JsonObject> ApplierAsync(string name) =>
        (JsonObject)(await CallAsync("status"))["appliers"]!.AsArray().First(a => a!["name"]!.GetValue<string>() == name)!;

    /// <summary>SIGKILL, as a crash or a power cut would stop it.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _output.WriteLine("----- applianced output -----\n" + Log);
        _process?.Dispose();
    }
}
