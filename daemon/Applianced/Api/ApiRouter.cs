using System.Text.Json.Nodes;

namespace Appliance.Daemon.Api;

public delegate Task<JsonNode?> ApiHandler(ApiRequest request, CancellationToken ct);

/// <summary>A streaming handler writes result lines itself until the client goes away.</summary>
public delegate Task ApiStreamHandler(ApiRequest request, Func<JsonNode, Task> write, CancellationToken ct);

/// <summary>Takes a request's uploaded data as a stream (read it to its end) and answers once.</summary>
public delegate Task<JsonNode?> ApiUploadHandler(ApiRequest request, Stream upload, CancellationToken ct);

/// <summary>Answers with a result and the bytes that follow it (PROTOCOL.md, "Downloads").</summary>
public delegate Task<ApiDownload> ApiDownloadHandler(ApiRequest request, CancellationToken ct);

/// <summary>
/// A command that takes an upload: its cap in bytes (enforced while reading), a check run before
/// the client sends anything (a refusal there costs no transfer), and the handler.
/// </summary>
public sealed record ApiUpload(Func<long> MaxBytes, Func<ApiRequest, CancellationToken, Task> Precheck, ApiUploadHandler Handler);

/// <summary>A download: the result line, then exactly Length bytes of Content.</summary>
public sealed record ApiDownload(JsonObject Result, Stream Content, long Length) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}

/// <summary>Maps command names to handlers; each area of the daemon registers its own commands.</summary>
public sealed class ApiRouter
{
    private readonly Dictionary<string, ApiHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiStreamHandler> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiUpload> _uploads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiDownloadHandler> _downloads = new(StringComparer.Ordinal);

    public ApiRouter Add(string cmd, ApiHandler handler)
    {
        _handlers.Add(cmd, handler);
        return this;
    }

    public ApiRouter Add(string cmd, Func<ApiRequest, JsonNode?> handler) =>
        Add(cmd, (r, _) => Task.FromResult(handler(r)));

    public ApiRouter AddStream(string cmd, ApiStreamHandler handler)
    {
        _streams.Add(cmd, handler);
        return this;
    }

    /// <summary>A command whose request carries an upload. It may also have a plain form (Add).</summary>
    public ApiRouter AddUpload(string cmd, ApiUpload upload)
    {
        _uploads.Add(cmd, upload);
        return this;
    }

    public ApiRouter AddDownload(string cmd, ApiDownloadHandler handler)
    {
        _downloads.Add(cmd, handler);
        return this;
    }

    public bool TryGet(string cmd, out ApiHandler handler) => _handlers.TryGetValue(cmd, out handler!);
    public bool TryGetStream(string cmd, out ApiStreamHandler handler) => _streams.TryGetValue(cmd, out handler!);
    public bool TryGetUpload(string cmd, out ApiUpload upload) => _uploads.TryGetValue(cmd, out upload!);
    public bool TryGetDownload(string cmd, out ApiDownloadHandler handler) => _downloads.TryGetValue(cmd, out handler!);

    /// <summary>
    /// The plain handler of a command, or the error every front door gives for it (the socket and
    /// the HTTPS pages alike): one that needs an upload, or an unknown one.
    /// </summary>
    public ApiHandler Resolve(string cmd) =>
        _handlers.TryGetValue(cmd, out var handler) ? handler
        : _uploads.ContainsKey(cmd)
            ? throw new ApiException(ApiException.Usage, $"'{cmd}' takes its data as an upload: send \"upload\":true and the data after the go-ahead (PROTOCOL.md)")
            : throw new ApiException(ApiException.Usage, $"unknown command '{cmd}'; known: {string.Join(", ", Commands)}");

    public IEnumerable<string> Commands =>
        _handlers.Keys.Concat(_streams.Keys).Concat(_uploads.Keys).Concat(_downloads.Keys).Distinct().Order(StringComparer.Ordinal);
}
