using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Appliance.Daemon.Config;

namespace Appliance.Tests.Ctl;

/// <summary>A test double of applianced's API: a real Unix socket in a temp dir speaking the
/// PROTOCOL.md framing, answering canned responses per cmd and recording every request.</summary>
internal sealed class FakeDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, string> _replies = new();
    private readonly Task _acceptLoop;

    public FakeDaemon()
    {
        Dir = Directory.CreateTempSubdirectory("ctl-").FullName;
        SocketPath = Path.Combine(Dir, "api.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        _acceptLoop = AcceptAsync();
        // config set/add ask which fields are secret: the real schema's answer unless a test sets another.
        Ok("config.sections", ConfigSchema.Describe().ToJsonString());
    }

    public string Dir { get; }
    public string SocketPath { get; }
    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>Lines sent on a `log.follow` connection; completing the writer closes it.</summary>
    public Channel<string> FollowLines { get; } = Channel.CreateUnbounded<string>();
    public TaskCompletionSource<JsonObject> FollowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IEnumerable<string> Cmds => Requests.Select(r => (string)r["cmd"]!);

    /// <summary>Answers `cmd` with this result (may be written over several lines; sent as one).</summary>
    public void Ok(string cmd, string resultJson) =>
        _replies[cmd] = new JsonObject { ["ok"] = true, ["result"] = JsonNode.Parse(resultJson) }.ToJsonString();

    public void Fail(string cmd, string errorJson) =>
        _replies[cmd] = new JsonObject { ["ok"] = false, ["error"] = JsonNode.Parse(errorJson) }.ToJsonString();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var stream = new NetworkStream(client, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var request = JsonNode.Parse(line)!.AsObject();
                Requests.Enqueue(request);
                var cmd = (string)request["cmd"]!;
                if (cmd == "log.follow")
                {
                    FollowStarted.TrySetResult(request);
                    await foreach (var entry in FollowLines.Reader.ReadAllAsync(_stop.Token))
                        await Send(stream, entry);
                    return;
                }
                var reply = _replies.TryGetValue(cmd, out var r)
                    ? r
                    : $"{{\"ok\":false,\"error\":{{\"kind\":\"usage\",\"message\":\"unknown command {cmd}\"}}}}";
                await Send(stream, reply);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private Task Send(NetworkStream stream, string line) =>
        stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), _stop.Token).AsTask();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
        Directory.Delete(Dir, recursive: true);
    }
}
