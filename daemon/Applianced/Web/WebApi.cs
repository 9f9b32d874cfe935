using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Web;

/// <summary>
/// The pages' way into the daemon: the local API's own router, handlers and error translation,
/// called in-process as channel `web` on behalf of the logged-in user, just as a root process on
/// the socket speaks for a user it logged in (ApiServer.Identify). No rule exists twice: a page
/// shows the error the CLI would print.
/// </summary>
internal sealed class WebApi(ApiRouter router, NodeLogs logs)
{
    public const string Channel = "web";

    /// <summary>Who runs the daemon: the socket would name the same user for a root client.</summary>
    private static readonly string ProcessUser = Environment.UserName;

    public ApiRequest Request(string cmd, JsonObject? args, string user) =>
        new(cmd, args ?? [], ProcessUser, Channel) { OnBehalfOf = user == ProcessUser ? null : user };

    /// <summary>The command's result; a refusal as the ApiException the socket would have answered with.</summary>
    public async Task<JsonObject> CallAsync(string cmd, JsonObject? args, string user, CancellationToken ct)
    {
        var request = Request(cmd, args, user);
        try
        {
            return await router.Resolve(cmd)(request, ct) as JsonObject ?? [];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Translate(e, request);
        }
    }

    /// <summary>A command that takes an upload; <paramref name="upload"/> is read to its end (the caller caps it).</summary>
    public async Task<JsonObject> UploadAsync(string cmd, JsonObject? args, string user, Func<Task<Stream>> upload, CancellationToken ct,
        Progress.WorkProgress? progress = null)
    {
        var request = Request(cmd, args, user) with { Upload = true, Progress = progress };
        try
        {
            if (!router.TryGetUpload(cmd, out var route)) throw ApiException.BadArgs($"'{cmd}' takes no upload");
            await route.Precheck(request, ct);
            return await route.Handler(request, await upload(), ct) as JsonObject ?? [];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Translate(e, request);
        }
    }

    public long UploadCap(string cmd) => router.TryGetUpload(cmd, out var route) ? route.MaxBytes() : 0;

    public async Task<ApiDownload> DownloadAsync(string cmd, JsonObject? args, string user, CancellationToken ct)
    {
        var request = Request(cmd, args, user);
        try
        {
            if (!router.TryGetDownload(cmd, out var handler)) throw ApiException.BadArgs($"'{cmd}' is no download");
            return await handler(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Translate(e, request);
        }
    }

    private ApiException Translate(Exception e, ApiRequest request)
    {
        var translated = ApiErrors.Translate(e);
        if (translated.Kind == ApiException.Internal)
            logs.Events.Append(new LogEntry { Level = "error", Message = $"web: command {request.Cmd} failed: {e}" });
        return translated;
    }
}
