using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// A 3-member etcd (Debian's etcd-server, fsync on as shipped) on 127.0.0.121-123, driven through
/// its HTTP/JSON gateway: `/v3/kv/put`, `/v3/kv/txn` (a batch of puts) and a `/v3/watch` stream.
/// The gateway and not gRPC, because our API is JSON lines over a local stream socket with one
/// request in flight per connection: the same text encoding and the same round trips, with no
/// HTTP/2 multiplexing or protobuf that our side does not have. (It costs etcd an extra hop: the
/// gateway calls its own gRPC server over loopback.)
/// </summary>
internal sealed class EtcdCluster : IKvTarget
{
    private static readonly string[] Addresses = ["127.0.0.121", "127.0.0.122", "127.0.0.123"];
    private readonly TempDir _dir = new();
    private readonly List<Process> _procs = [];
    private readonly Uri[] _clients;

    public string Name => "etcd";

    private EtcdCluster()
    {
        int clientPort = Bench.FreePort(), peerPort = Bench.FreePort();
        _clients = Addresses.Select(a => new Uri($"http://{a}:{clientPort}")).ToArray();
        var initial = string.Join(',', Addresses.Select((a, i) => $"m{i + 1}=http://{a}:{peerPort}"));
        for (var i = 0; i < Addresses.Length; i++)
        {
            var url = $"http://{Addresses[i]}:{clientPort}"; // etcd refuses a URL with a path, even "/"
            var info = new ProcessStartInfo("etcd") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[]
            {
                "--name", $"m{i + 1}", "--data-dir", _dir.Sub($"m{i + 1}"),
                "--listen-client-urls", url, "--advertise-client-urls", url,
                "--listen-peer-urls", $"http://{Addresses[i]}:{peerPort}", "--initial-advertise-peer-urls", $"http://{Addresses[i]}:{peerPort}",
                "--initial-cluster", initial, "--initial-cluster-state", "new", "--initial-cluster-token", "bench", "--logger", "zap", "--log-level", "error",
            }) info.ArgumentList.Add(a);
            var p = Process.Start(info) ?? throw new InvalidOperationException("could not start etcd");
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, e) => Keep(e.Data);
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            _procs.Add(p);
        }
    }

    private readonly Queue<string> _lastLines = new();

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 10) _lastLines.Dequeue();
        }
    }

    public static async Task<EtcdCluster> StartAsync()
    {
        var cluster = new EtcdCluster();
        try
        {
            using var client = (Client)await cluster.ConnectAsync(0);
            var sw = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await client.PutAsync("ready", "yes");
                    return cluster;
                }
                catch (HttpRequestException) when (sw.Elapsed < TimeSpan.FromSeconds(60)) { await Task.Delay(100); }
                catch (HttpRequestException e)
                {
                    lock (cluster._lastLines) throw new InvalidOperationException($"etcd did not answer: {e.Message}; it said: {string.Join('\n', cluster._lastLines)}", e);
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public Task<IKvClient> ConnectAsync(int member) => Task.FromResult<IKvClient>(new Client(_clients[member]));

    public async Task<IKvWatch> WatchAsync(int member)
    {
        var http = Client.OneConnection(_clients[member]);
        var create = new JsonObject
        {
            ["create_request"] = new JsonObject { ["key"] = B64(""), ["range_end"] = B64("\0") }, // every key
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v3/watch") { Content = new StringContent(create.ToJsonString()) };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var watch = new Watch(http, reader);
        await watch.CreatedAsync();
        return watch;
    }

    public Task<IReadOnlyList<(double CpuSeconds, long? AllocatedBytes)>> CountersAsync() =>
        Task.FromResult<IReadOnlyList<(double, long?)>>(_procs.Select(p => (ProcCpu.Seconds(p.Id), (long?)null)).ToList());

    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static JsonObject Put(string key, string value) => new() { ["key"] = B64(key), ["value"] = B64(value) };

    private sealed class Client(Uri member) : IKvClient
    {
        private readonly HttpClient _http = OneConnection(member);

        /// <summary>HTTP/1.1 on one kept-alive connection: one request in flight, like one API socket.</summary>
        public static HttpClient OneConnection(Uri member) =>
            new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = member,
                DefaultRequestVersion = HttpVersion.Version11,
                Timeout = Timeout.InfiniteTimeSpan,
            };

        public Task PutAsync(string key, string value) => PostAsync("/v3/kv/put", Put(key, value));

        public Task PutManyAsync(IReadOnlyList<(string Key, string Value)> records) =>
            PostAsync("/v3/kv/txn", new JsonObject
            {
                ["success"] = new JsonArray(records.Select(r => (JsonNode)new JsonObject { ["request_put"] = Put(r.Key, r.Value) }).ToArray()),
            });

        private async Task PostAsync(string path, JsonObject body)
        {
            using var response = await _http.PostAsync(path, new StringContent(body.ToJsonString()));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode || JsonNode.Parse(text)!["error"] is not null)
                throw new InvalidOperationException($"etcd {path}: {(int)response.StatusCode} {text}");
        }

        public void Dispose() => _http.Dispose();
    }

    /// <summary>The gateway streams one JSON object per line: {"result":{"events":[{"kv":{"key":B64}}...]}}.</summary>
    private sealed class Watch(HttpClient http, StreamReader reader) : IKvWatch
    {
        private readonly Queue<string> _keys = new();

        public async Task CreatedAsync()
        {
            while ((await NextAsync())["result"]?["created"]?.GetValue<bool>() != true) { }
        }

        private async Task<JsonNode> NextAsync() =>
            JsonNode.Parse(await reader.ReadLineAsync() ?? throw new IOException("etcd closed the watch"))!;

        /// <summary>etcd's watch names every key it sees: never asked.</summary>
        public Task<bool> HoldsAsync(string key) => throw new NotSupportedException("an etcd watch names every key");

        public async Task<string> NextKeyAsync()
        {
            while (_keys.Count == 0)
                foreach (var e in (await NextAsync())["result"]?["events"]?.AsArray() ?? [])
                    _keys.Enqueue(Encoding.UTF8.GetString(Convert.FromBase64String(e!["kv"]!["key"]!.GetValue<string>())));
            return _keys.Dequeue();
        }

        public void Dispose()
        {
            reader.Dispose();
            http.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _procs)
        {
            if (!p.HasExited) p.Kill();
            await p.WaitForExitAsync();
            p.Dispose();
        }
        _dir.Dispose();
    }
}
