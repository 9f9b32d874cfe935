using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Daemon.Logs;

namespace Appliance.Daemon.Api;

/// <summary>
/// The local API on a Unix stream socket: one JSON request per line, one JSON response per line.
/// Whatever a client sends, the daemon answers or hangs up on that client alone.
/// </summary>
public sealed class ApiServer(ApiRouter router, JsonLinesLog events) : IAsyncDisposable
{
    public const int Version = 1;
    private const int MaxLineBytes = 1 << 20;
    private const string AdminGroup = "appliance-admin";
    private Socket? _listener;
    private string? _path;
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;

    public void Start(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        EnsureNotServed(path);
        if (File.Exists(path)) File.Delete(path); // a stale socket of a previous run: nobody answers on it
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        SocketPermissions.Restrict(path, AdminGroup);
        socket.Listen(64);
        _listener = socket;
        _path = path;
        _accepting = AcceptLoop(socket, _stop.Token);
    }

    /// <summary>
    /// Refuses to take over a socket another daemon still serves: the store lock only covers one data
    /// directory, and two daemons given the same socket path must not silently swap places.
    /// </summary>
    public static void EnsureNotServed(string path)
    {
        if (!File.Exists(path)) return;
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            return; // stale: left by a daemon that is gone
        }
        throw new IOException($"the API socket {path} is served by another running applianced; stop it or use another --api-socket");
    }

    private async Task AcceptLoop(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptAsync(ct); }
            catch (Exception) when (ct.IsCancellationRequested) { return; }
            catch (SocketException) { continue; }
            _ = Task.Run(() => Serve(client, ct), ct);
        }
    }

    private async Task Serve(Socket client, CancellationToken ct)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var reader = new LineReader(stream, MaxLineBytes);
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0) continue;
                await Handle(line, stream, ct);
            }
        }
        catch (LineTooLongException)
        {
            await Write(stream, ErrorReply(new ApiException(ApiException.Usage, $"request line longer than {MaxLineBytes} bytes")), ct);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
    }

    private async Task Handle(string line, Stream stream, CancellationToken ct)
    {
        ApiRequest request;
        try { request = Parse(line); }
        catch (ApiException e)
        {
            await Write(stream, ErrorReply(e), ct);
            return;
        }
        if (router.TryGetStream(request.Cmd, out var streamHandler))
        {
            try { await streamHandler(request, node => Write(stream, node, ct), ct); }
            catch (ApiException e) { await Write(stream, ErrorReply(e), ct); }
            return;
        }
        JsonObject reply;
        try
        {
            if (!router.TryGet(request.Cmd, out var handler))
                throw new ApiException(ApiException.Usage, $"unknown command '{request.Cmd}'; known: {string.Join(", ", router.Commands)}");
            var result = await handler(request, ct);
            reply = new JsonObject { ["ok"] = true, ["result"] = result ?? new JsonObject() };
        }
        catch (Exception e)
        {
            reply = ErrorReply(Translate(e, request));
        }
        await Write(stream, reply, ct);
    }

    private ApiException Translate(Exception e, ApiRequest request)
    {
        var translated = ApiErrors.Translate(e);
        if (translated.Kind == ApiException.Internal)
            events.Append(new LogEntry { Level = "error", Message = $"API command {request.Cmd} failed: {e}" });
        return translated;
    }

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private static ApiRequest Parse(string line)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(line, documentOptions: StrictJson);
            ReadEveryString(node);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ApiException(ApiException.Usage, $"request is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject obj) throw new ApiException(ApiException.Usage, "request must be a JSON object");
        var version = obj["v"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : Version;
        if (version != Version) throw new ApiException(ApiException.Usage, $"API version {version} is not supported (this daemon speaks {Version})");
        var cmd = obj["cmd"] is JsonValue c && c.TryGetValue<string>(out var s) ? s : throw new ApiException(ApiException.Usage, "request has no 'cmd'");
        var args = obj["args"] as JsonObject ?? [];
        var user = obj["user"] is JsonValue u && u.TryGetValue<string>(out var us) ? us : "admin";
        var channel = obj["channel"] is JsonValue ch && ch.TryGetValue<string>(out var chs) ? chs : "api";
        return new ApiRequest(cmd, (JsonObject)args.DeepClone(), user, channel);
    }

    /// <summary>
    /// JsonNode reads strings lazily: one holding a lone surrogate escape throws when first read,
    /// which must happen here (a usage error) and not in a handler (an internal error).
    /// </summary>
    private static void ReadEveryString(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o) ReadEveryString(child);
                break;
            case JsonArray a:
                foreach (var child in a) ReadEveryString(child);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                v.GetValue<string>();
                break;
        }
    }

    private static JsonObject ErrorReply(ApiException e)
    {
        var error = new JsonObject { ["kind"] = e.Kind, ["message"] = e.Message };
        if (e.Field is not null) error["field"] = e.Field;
        if (e.Value is not null) error["value"] = e.Value;
        if (e.Rule is not null) error["rule"] = e.Rule;
        return new JsonObject { ["ok"] = false, ["error"] = error };
    }

    private static async Task Write(Stream stream, JsonNode node, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString() + "\n");
        await stream.WriteAsync(bytes, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        await _accepting;
        if (_path is not null && File.Exists(_path)) File.Delete(_path);
    }
}
