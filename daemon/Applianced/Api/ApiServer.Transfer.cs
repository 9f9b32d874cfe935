using System.Text.Json.Nodes;

namespace Appliance.Daemon.Api;

public sealed partial class ApiServer
{
    /// <summary>Largest upload chunk: the server's read buffer bounds what one chunk costs.</summary>
    public const int MaxUploadChunk = 1 << 20;

    /// <summary>
    /// An upload (PROTOCOL.md): the precheck may refuse before any data moves; then the go-ahead
    /// line with the cap, the data in chunks to the handler, and one answer. False when the
    /// upload broke (over its cap, a bad chunk, the client gone): the connection closes.
    /// </summary>
    private async Task<bool> HandleUpload(ApiRequest request, LineReader reader, Stream stream, CancellationToken ct)
    {
        if (!_router.TryGetUpload(request.Cmd, out var route))
        {
            await Write(stream, ErrorReply(new ApiException(ApiException.Usage, $"'{request.Cmd}' takes no upload; send the request without \"upload\"")), ct);
            return true;
        }
        long max;
        try
        {
            await route.Precheck(request, ct);
            max = route.MaxBytes();
        }
        catch (Exception e)
        {
            await Write(stream, ErrorReply(Translate(e, request)), ct);
            return true;
        }
        await Write(stream, new JsonObject { ["ok"] = true, ["upload"] = new JsonObject { ["maxBytes"] = max, ["chunkBytes"] = MaxUploadChunk } }, ct);

        var upload = new UploadStream(reader, max, MaxUploadChunk);
        JsonObject? reply;
        try
        {
            var result = await WithProgressAsync(request, stream, () => route.Handler(request, upload, ct), ct);
            if (!upload.Ended && upload.Broken is null)
                throw new InvalidOperationException($"'{request.Cmd}' did not read its whole upload");
            reply = new JsonObject { ["ok"] = true, ["result"] = result ?? new JsonObject() };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A broken upload surfaces in the handler as whatever it made of the read error; the
            // reason the upload broke is the answer then.
            reply = upload.Broken is null ? ErrorReply(Translate(e, request)) : null;
        }
        if (upload.Broken is null) await upload.DrainAsync(ct);
        if (upload.Broken is { } why)
        {
            Warn($"API: upload for {request.Cmd} by {request.User} refused: {why}");
            await Write(stream, ErrorReply(new ApiException(ApiException.Validation, why, rule: $"at most {max} bytes")), ct);
            return false;
        }
        await Write(stream, reply!, ct);
        return true;
    }

    /// <summary>A download: the result line carries "download": N, then exactly N bytes follow.</summary>
    private async Task HandleDownload(ApiRequest request, ApiDownloadHandler handler, Stream stream, CancellationToken ct)
    {
        ApiDownload download;
        try { download = await handler(request, ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Write(stream, ErrorReply(Translate(e, request)), ct);
            return;
        }
        await using (download)
        {
            await Write(stream, new JsonObject { ["ok"] = true, ["result"] = download.Result, ["download"] = download.Length }, ct);
            var buffer = new byte[81920];
            var left = download.Length;
            while (left > 0)
            {
                var n = await download.Content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct);
                // The length was promised in the line above: a file that shrank cannot be answered any more.
                if (n == 0) throw new IOException($"{request.Cmd}: the content ended {left} bytes early");
                await stream.WriteAsync(buffer.AsMemory(0, n), ct);
                left -= n;
            }
        }
    }
}
