using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>A minimal client of the local API (Api/PROTOCOL.md): one JSON line out, one back.</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private ApiClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
    }

    public static async Task<ApiClient> ConnectAsync(string path, CancellationToken ct = default)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
            return new ApiClient(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request and returns its result; an error response throws with the daemon's message.</summary>
    public async Task<JsonNode?> CallAsync(string cmd, JsonObject? args = null, CancellationToken ct = default)
    {
        await SendAsync(cmd, args, ct);
        var response = await ReceiveAsync(ct) ?? throw new IOException($"the daemon closed the connection during '{cmd}'");
        if (response["ok"]?.GetValue<bool>() != true) throw new InvalidOperationException($"'{cmd}' failed: {response["error"]?.ToJsonString()}");
        return response["result"];
    }

    /// <summary>Sends one request without waiting for its answer (a stream's, or pipelined ones).</summary>
    public async Task SendAsync(string cmd, JsonObject? args = null, CancellationToken ct = default)
    {
        var request = new JsonObject { ["v"] = 1, ["cmd"] = cmd, ["args"] = args ?? new JsonObject(), ["user"] = "bench", ["channel"] = "api" };
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"), ct);
    }

    /// <summary>The next line the daemon sends, parsed; null when it closed the connection.</summary>
    public async Task<JsonObject?> ReceiveAsync(CancellationToken ct = default) =>
        await _reader.ReadLineAsync(ct) is { } line ? JsonNode.Parse(line)!.AsObject() : null;

    public void Dispose() => _reader.Dispose();
}
