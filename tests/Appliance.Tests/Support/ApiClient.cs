using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>An error reply of the daemon's local API, with its kind and message.</summary>
public sealed class DaemonApiException(string cmd, JsonObject error)
    : Exception($"{cmd} failed: {error.ToJsonString()}")
{
    public JsonObject Error { get; } = error;
    public string Kind => (string?)Error["kind"] ?? "";
    public string ErrorMessage => (string?)Error["message"] ?? "";
}

/// <summary>
/// One connection to a real daemon's API socket (PROTOCOL.md: one JSON line each way). Kept
/// separate from the CLI's client on purpose: these tests check the daemon, not appliancectl.
/// </summary>
public sealed class RawApiConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RawApiConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public Socket Socket => _socket;

    public static async Task<RawApiConnection> ConnectAsync(string socketPath, TimeSpan timeout) =>
        new(await ConnectSocketAsync(socketPath, timeout) ?? throw new TimeoutException($"the listen backlog of {socketPath} stayed full for {timeout}"));

    /// <summary>
    /// A connected socket; while the daemon's listen backlog is full (EAGAIN on a Unix socket) it
    /// tries again, as a blocking client would wait, and gives null after <paramref name="wait"/>.
    /// </summary>
    public static async Task<Socket?> ConnectSocketAsync(string socketPath, TimeSpan wait)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath)).WaitAsync(wait);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
            {
                socket.Dispose();
                if (deadline.Elapsed > wait) return null;
                await Task.Delay(5);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    public async Task SendLineAsync(string line, TimeSpan timeout) =>
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n")).AsTask().WaitAsync(timeout);

    public async Task SendBytesAsync(byte[] bytes, TimeSpan timeout) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(timeout);

    /// <summary>The next reply line parsed, or null when the daemon closed the connection.</summary>
    public async Task<JsonObject?> ReadReplyAsync(TimeSpan timeout)
    {
        var line = await _reader.ReadLineAsync().WaitAsync(timeout);
        return line is null ? null : JsonNode.Parse(line)!.AsObject();
    }

    /// <summary>Sends one request and returns the whole reply object ({ok, result|error}).</summary>
    public async Task<JsonObject> RequestAsync(string cmd, JsonObject? args, TimeSpan timeout, string user = "test")
    {
        await SendLineAsync(RequestLine(cmd, args, user), timeout);
        return await ReadReplyAsync(timeout) ?? throw new IOException($"the daemon closed the connection instead of answering {cmd}");
    }

    /// <summary>One request as the line PROTOCOL.md asks for.</summary>
    public static string RequestLine(string cmd, JsonObject? args, string user = "test") =>
        new JsonObject { ["v"] = 1, ["cmd"] = cmd, ["args"] = args ?? [], ["user"] = user, ["channel"] = "test" }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
