using System.IO.Pipelines;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Progress;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Appliance.Daemon.Web;

/// <summary>
/// A form with a file (multipart), streamed, never buffered whole, into an upload command's handler:
/// the session's token must be the first part, small text fields next (each at most 64 KiB), then
/// the file; the request is cut off past the command's cap plus a little for the fields. The
/// command runs as the session's <see cref="WebJob"/>, fed through a pipe, so that it goes on (and
/// its progress page shows it) after the last byte has arrived.
/// </summary>
internal sealed partial class WebSite
{
    private const int MaxTextPart = 64 * 1024;
    private static readonly HashSet<string> UploadPaths = new(StringComparer.Ordinal) { BackupRestorePath, UpgradePath };

    /// <summary>How long the form's answer waits for the work after the upload: a quick one answers with its outcome, a slow one with its progress page.</summary>
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(3);

    /// <summary>The started job; null when the form was refused (answered here: 403 without a token).</summary>
    private async Task<WebJob?> UploadFormAsync(WebCall call, string cmd, string fileField, Func<IReadOnlyDictionary<string, string>, JsonObject?> args)
    {
        var http = call.Http;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = api.UploadCap(cmd) + 4 * MaxTextPart;
        var boundary = http.Request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var media)
            ? HeaderUtilities.RemoveQuotes(media.Boundary).Value : null;
        var reader = boundary is null ? null : new MultipartReader(boundary, http.Request.Body) { HeadersLengthLimit = 16 * 1024 };
        string? token = null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader is not null && await reader.ReadNextSectionAsync(call.Ct) is { } section)
        {
            var name = section.GetContentDispositionHeader()?.Name.Value ?? "";
            if (name == fileField && call.Session.TokenMatches(token))
                return await StartJobAsync(call, cmd, args(fields), fileField, section.Body);
            var text = await ReadTextPartAsync(section.Body, call.Ct);
            if (name == TokenField) token = text;
            else if (!call.Session.TokenMatches(token)) break; // nothing before the token
            else fields[name] = text;
        }
        if (!call.Session.TokenMatches(token))
        {
            await RefuseAsync(http, StatusCodes.Status403Forbidden, "The form's token is missing or wrong (open the page again and resend the form).");
            return null;
        }
        var missing = new WebJob(cmd);
        missing.Start(() => throw new ApiException(ApiException.Usage, "choose a file to upload", fileField));
        call.Session.Jobs[cmd] = missing;
        return missing;
    }

    /// <summary>Starts the command on a pipe and copies the file into it ("receiving"); returns once the file is in, or the command stopped reading.</summary>
    private async Task<WebJob> StartJobAsync(WebCall call, string cmd, JsonObject? args, string fileField, Stream file)
    {
        var job = new WebJob(cmd);
        call.Session.Jobs[cmd] = job;
        var pipe = new Pipe();
        job.Progress.Begin("receiving", call.Http.Request.ContentLength);
        // Not the request's token: the work outlives the request (the pipe ends it when the upload breaks off).
        job.Start(async () =>
        {
            try { return await api.UploadAsync(cmd, args, call.User, () => Task.FromResult(pipe.Reader.AsStream()), CancellationToken.None, job.Progress); }
            finally { await pipe.Reader.CompleteAsync(); } // a refusal before the end: the copy below stops
        });
        try
        {
            for (long received = 0; ;)
            {
                var n = await file.ReadAsync(pipe.Writer.GetMemory(81920), call.Ct);
                if (n == 0) break;
                pipe.Writer.Advance(n);
                job.Progress.Set(received += n);
                if ((await pipe.Writer.FlushAsync(call.Ct)).IsCompleted) break; // the command stopped reading: its refusal says why
            }
            await pipe.Writer.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
        {
            await pipe.Writer.CompleteAsync(new ApiException(ApiException.Validation, $"the upload is too large or broken off ({e.Message}); nothing was changed", fileField));
        }
        await Task.WhenAny(job.Work, Task.Delay(AnswerWait, call.Ct));
        return job;
    }

    private static async Task<string> ReadTextPartAsync(Stream body, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        while (await body.ReadAsync(chunk, ct) is > 0 and var n)
        {
            if (buffer.Length + n > MaxTextPart) throw new ApiException(ApiException.Usage, $"a form field is longer than {MaxTextPart / 1024} KiB");
            buffer.Write(chunk, 0, n);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
