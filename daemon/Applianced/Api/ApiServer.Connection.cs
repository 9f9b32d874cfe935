using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Logs;

namespace Appliance.Daemon.Api;

public sealed partial class ApiServer
{
    /// <summary>
    /// Channels whose front door authenticates its own users (the HTTPS pages): a root process
    /// there may say on whose behalf it asks. Any other claim of a user is ignored.
    /// </summary>
    private static readonly HashSet<string> AuthenticatingChannels = new(StringComparer.Ordinal) { "web" };

    private async Task Serve(Socket client, PeerCredentials who, CancellationToken ct)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var reader = new LineReader(stream, MaxLineBytes);
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0) continue;
                if (!await Handle(line, who, reader, stream, ct))
                {
                    await LingerAsync(client, reader, ct);
                    return;
                }
            }
        }
        catch (LineTooLongException)
        {
            await Write(stream, ErrorReply(new ApiException(ApiException.Usage, $"request line longer than {MaxLineBytes} bytes")), ct);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
    }

    /// <summary>
    /// After the answer to a broken upload: closing at once with the client's data still unread
    /// would reset the connection and lose the answer, so stop sending, then read and drop what
    /// still comes, for a short while and a bounded amount, before closing.
    /// </summary>
    private static async Task LingerAsync(Socket client, LineReader reader, CancellationToken ct)
    {
        client.Shutdown(SocketShutdown.Send);
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(ct);
        linger.CancelAfter(TimeSpan.FromSeconds(2));
        var scratch = new byte[64 * 1024];
        long dropped = 0;
        try
        {
            while (dropped < MaxLingerBytes && await reader.ReadAsync(scratch, linger.Token) is > 0 and var n)
                dropped += n;
        }
        catch (OperationCanceledException) { }
    }

    private const long MaxLingerBytes = 256L << 20;

    /// <summary>Answers one request; false when the connection cannot go on (a broken upload).</summary>
    private async Task<bool> Handle(string line, PeerCredentials who, LineReader reader, Stream stream, CancellationToken ct)
    {
        ApiRequest request;
        try { request = Identify(ApiRequestParser.Parse(line), who); }
        catch (ApiException e)
        {
            await Write(stream, ErrorReply(e), ct);
            return true;
        }
        if (request.Upload) return await HandleUpload(request, reader, stream, ct);
        if (_router.TryGetDownload(request.Cmd, out var download))
        {
            await HandleDownload(request, download, stream, ct);
            return true;
        }
        if (_router.TryGetStream(request.Cmd, out var streamHandler))
        {
            try { await streamHandler(request, node => Write(stream, node, ct), ct); }
            catch (Exception e) when (e is not (IOException or SocketException or OperationCanceledException))
            {
                await Write(stream, ErrorReply(Translate(e, request)), ct);
            }
            return true;
        }
        JsonObject reply;
        try
        {
            var handler = _router.Resolve(request.Cmd);
            var result = await WithProgressAsync(request, stream, () => handler(request, ct), ct);
            reply = new JsonObject { ["ok"] = true, ["result"] = result ?? new JsonObject() };
        }
        catch (Exception e)
        {
            reply = ErrorReply(Translate(e, request));
        }
        await Write(stream, reply, ct);
        return true;
    }

    /// <summary>The user is who the kernel says connected; a claimed user is kept only where it means something.</summary>
    private static ApiRequest Identify(ApiRequest parsed, PeerCredentials who)
    {
        var claim = parsed.User;
        var onBehalfOf = who.IsRoot && AuthenticatingChannels.Contains(parsed.Channel) && claim.Length > 0 && claim != who.UserName
            ? claim
            : null;
        return parsed with { User = who.UserName, OnBehalfOf = onBehalfOf };
    }

    private ApiException Translate(Exception e, ApiRequest request)
    {
        var translated = ApiErrors.Translate(e);
        if (translated.Kind == ApiException.Internal)
            _events.Append(new LogEntry { Level = "error", Message = $"API command {request.Cmd} failed: {e}" });
        return translated;
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
}
