using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>
/// Debian's headless Chromium driven over its DevTools protocol (a WebSocket, JSON messages), no
/// browser-automation package: start it with a fresh profile, open pages, evaluate in them, take
/// screenshots, let it download into a directory. It accepts the peers' self-signed certificates.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string Program = "/usr/bin/chromium";
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _profile = new();
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private Process? _process;
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    public static bool Installed => File.Exists(Program);

    /// <summary>Where downloads land.</summary>
    public string Downloads => _profile["downloads"];

    public static async Task<Chromium> StartAsync()
    {
        var browser = new Chromium();
        try
        {
            await browser.LaunchAsync();
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync()
    {
        Directory.CreateDirectory(Downloads);
        var start = new ProcessStartInfo(Program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--ignore-certificate-errors", "--window-size=1280,900",
            $"--user-data-dir={_profile["profile"]}", "--remote-debugging-port=0", "about:blank" })
            start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        // Chromium writes the port it chose and the browser's endpoint into the profile.
        var portFile = Path.Combine(_profile["profile"], "DevToolsActivePort");
        string[] lines = [];
        await Eventually.WaitUntil(() =>
        {
            if (_process.HasExited) throw new InvalidOperationException($"chromium exited with code {_process.ExitCode}");
            lines = File.Exists(portFile) ? File.ReadAllLines(portFile) : [];
            return Task.FromResult(lines.Length >= 2);
        }, TimeSpan.FromSeconds(60), "chromium writes DevToolsActivePort");
        using var connect = new CancellationTokenSource(CallTimeout);
        await _socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0].Trim()}{lines[1].Trim()}"), connect.Token);
        _receiving = Task.Run(ReceiveLoop);
        await SendAsync("Browser.setDownloadBehavior", new JsonObject { ["behavior"] = "allow", ["downloadPath"] = Downloads }, null);
    }

    /// <summary>A new tab, attached (flat sessions: its messages carry its session id).</summary>
    public async Task<ChromiumPage> NewPageAsync()
    {
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, null);
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = (string)target["targetId"]!, ["flatten"] = true }, null);
        var page = new ChromiumPage(this, (string)attached["sessionId"]!);
        await page.SendAsync("Page.enable");
        return page;
    }

    internal async Task<JsonObject> SendAsync(string method, JsonObject? parameters, string? session)
    {
        var id = Interlocked.Increment(ref _nextId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (session is not null) message["sessionId"] = session;
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _send.WaitAsync();
        try { await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None); }
        finally { _send.Release(); }
        var answer = await reply.Task.WaitAsync(CallTimeout);
        if (answer["error"] is { } error) throw new ChromiumException($"{method}: {error.ToJsonString()}");
        return answer["result"]?.AsObject() ?? [];
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var r = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                var node = JsonNode.Parse(message.ToArray())!.AsObject();
                message.SetLength(0);
                if (node["id"] is { } id && _pending.TryRemove((int)id, out var waiting)) waiting.TrySetResult(node);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException) { }
        foreach (var waiting in _pending.Values) waiting.TrySetException(new ChromiumException("the DevTools connection closed"));
    }

    public async ValueTask DisposeAsync()
    {
        try { _socket.Abort(); } catch (ObjectDisposedException) { }
        _socket.Dispose();
        await _receiving;
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        if (_process is not null) await _process.WaitForExitAsync();
        _process?.Dispose();
        _profile.Dispose();
    }
}

public sealed class ChromiumException(string message) : Exception(message);
