using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Ctl;

/// <summary>Requests to the daemon. One connection is kept for a whole interactive session and
/// re-opened when the daemon went away (restart); follow streams get their own connection because
/// they occupy it until the client closes.</summary>
internal sealed partial class ApiClient(string socketPath, string user, string channel = ApiClient.RemoteChannel) : IAsyncDisposable
{
    /// <summary>The channel of a session over SSH, or of a script (the daemon's log, and the network confirm window).</summary>
    public const string RemoteChannel = "cli";

    /// <summary>The channel of a person at the box's own console: a network change needs no confirm window there.</summary>
    public const string ConsoleChannel = "console";

    /// <summary>Protocol version 1: the first one (PROTOCOL.md).</summary>
    public const int ProtocolVersion = 1;

    private ApiConnection? _connection;

    public string SocketPath => socketPath;

    /// <summary>One request and its answer; with <paramref name="progress"/> wanted, the daemon is asked for
    /// the progress events it sends before the answer, and they are shown.</summary>
    public async Task<ApiResponse> CallAsync(string cmd, JsonObject args, CancellationToken ct, Progress? progress = null)
    {
        if (_connection is { IsClosedByPeer: true })
            await DropAsync();
        _connection ??= await ApiConnection.OpenAsync(socketPath, ct);
        var connection = _connection;
        try
        {
            var refusal = await SendAsync(connection, Request(cmd, args, progress: progress?.Wanted == true), ct);
            return ToResponse(await ReadAnswerAsync(connection, refusal, progress, ct));
        }
        catch
        {
            // A late answer would be read as the answer to the next request: start afresh.
            await DropAsync();
            throw;
        }
    }

    /// <summary>Runs a stream command until the daemon ends it or <paramref name="ct"/> fires;
    /// returns the error when the daemon refused the stream.</summary>
    public async Task<ApiError?> FollowAsync(string cmd, JsonObject args, Func<JsonObject, Task> onEntry, CancellationToken ct)
    {
        await using var connection = await ApiConnection.OpenAsync(socketPath, ct);
        await connection.SendLineAsync(Request(cmd, args), ct);
        while (true)
        {
            string? line;
            try
            {
                line = await connection.ReadLineAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return null;
            }
            if (line is null)
                return null;
            if (line.Length == 0)
                continue;
            var node = ParseObject(line);
            if (node["entry"] is JsonObject entry)
                await onEntry(entry);
            else if (node["ok"] is JsonValue ok && ok.TryGetValue(out bool isOk) && !isOk)
                return ApiError.FromJson(node["error"]);
            // Anything else (an acknowledgement) carries nothing to show.
        }
    }

    public async ValueTask DisposeAsync() => await DropAsync();

    /// <summary>
    /// A daemon with all its connections in use answers a new one with a refusal line and closes it,
    /// so our request may not get through; the refusal is still there to read and is the answer.
    /// </summary>
    private static async Task<string?> SendAsync(ApiConnection connection, string line, CancellationToken ct)
    {
        try
        {
            await connection.SendLineAsync(line, ct);
            return null;
        }
        catch (DaemonUnreachableException)
        {
            string? refusal = null;
            try { refusal = await connection.ReadLineAsync(ct); }
            catch (DaemonUnreachableException) { }
            if (refusal is null) throw;
            return refusal;
        }
    }

    private async Task DropAsync()
    {
        if (_connection is { } c)
        {
            _connection = null;
            await c.DisposeAsync();
        }
    }

    /// <summary>
    /// The answer line (<paramref name="first"/> when already read), after the progress events that
    /// come before it: shown when asked for, skipped otherwise (a daemon sends none unless asked).
    /// </summary>
    private async Task<JsonObject> ReadAnswerAsync(ApiConnection connection, string? first, Progress? progress, CancellationToken ct)
    {
        for (var line = first; ; line = null)
        {
            line ??= await connection.ReadLineAsync(ct)
                ?? throw new DaemonUnreachableException(socketPath, "the daemon closed the connection before answering");
            var node = ParseObject(line);
            if (node["ok"] is null && node["progress"] is JsonObject progressEvent)
            {
                progress?.Show(progressEvent);
                continue;
            }
            return node;
        }
    }

    private string Request(string cmd, JsonObject args, bool upload = false, bool progress = false)
    {
        var request = new JsonObject
        {
            ["v"] = ProtocolVersion,
            ["cmd"] = cmd,
            ["args"] = args.DeepClone(),
            ["user"] = user,
            ["channel"] = channel,
        };
        if (upload)
            request["upload"] = true;
        if (progress)
            request["progress"] = true;
        return request.ToJsonString();
    }

    private static ApiResponse ToResponse(JsonObject node) =>
        node["ok"] is JsonValue ok && ok.TryGetValue(out bool isOk) && isOk
            ? new ApiResponse(node["result"] as JsonObject ?? new JsonObject(), null)
            : new ApiResponse(null, ApiError.FromJson(node["error"]));

    private static JsonObject ParseObject(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject
                ?? throw new ProtocolException("the daemon answered something that is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ProtocolException("the daemon answered invalid JSON: " + e.Message, e);
        }
    }
}
