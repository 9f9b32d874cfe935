using System.Text.Json.Nodes;

namespace Appliance.Daemon.Api;

public delegate Task<JsonNode?> ApiHandler(ApiRequest request, CancellationToken ct);

/// <summary>A streaming handler writes result lines itself until the client goes away.</summary>
public delegate Task ApiStreamHandler(ApiRequest request, Func<JsonNode, Task> write, CancellationToken ct);

/// <summary>Maps command names to handlers; each area of the daemon registers its own commands.</summary>
public sealed class ApiRouter
{
    private readonly Dictionary<string, ApiHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApiStreamHandler> _streams = new(StringComparer.Ordinal);

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

    public bool TryGet(string cmd, out ApiHandler handler) => _handlers.TryGetValue(cmd, out handler!);
    public bool TryGetStream(string cmd, out ApiStreamHandler handler) => _streams.TryGetValue(cmd, out handler!);

    public IEnumerable<string> Commands => _handlers.Keys.Concat(_streams.Keys).Order(StringComparer.Ordinal);
}
