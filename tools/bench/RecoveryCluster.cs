using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Bench;

/// <summary>
/// In-process PeerNodes on 127.0.0.111.. for the recovery benchmarks, which need what
/// <see cref="InProcessCluster"/> does not offer: peers that start later or alone, writes into a
/// store before its node starts, and the recovery traffic each node logs. Both cluster ports are
/// free ports chosen per run.
/// </summary>
internal sealed partial class RecoveryCluster : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly int _replicationPort = Bench.FreePort();
    private readonly int _recoveryPort = Bench.FreePort();
    private readonly PeerNode?[] _nodes;
    private readonly List<string> _recoveryEvents = [];
    private long _recoveryBytes;

    public IReadOnlyList<string> Addresses { get; }
    public int RecoveryPort => _recoveryPort;
    public PeerNode this[int i] => _nodes[i] ?? throw new InvalidOperationException($"peer {i + 1} is stopped");

    /// <summary>Payload bytes both ways of every recovery pull the nodes logged since the last reset.</summary>
    public long RecoveryBytes => Interlocked.Read(ref _recoveryBytes);
    /// <summary>What the nodes logged about recovery (pulls, catch-up requests, joins), for the bench output.</summary>
    public IReadOnlyList<string> RecoveryEvents()
    {
        lock (_recoveryEvents) return _recoveryEvents.ToList();
    }

    public void ResetRecoveryBytes() => Interlocked.Exchange(ref _recoveryBytes, 0);

    public RecoveryCluster(int peers)
    {
        Addresses = Enumerable.Range(0, peers).Select(i => $"127.0.0.{111 + i}").ToList();
        _nodes = new PeerNode?[peers];
    }

    public async Task StartAsync(int i, Action<Store>? beforeStart = null)
    {
        var options = new DaemonOptions
        {
            DataDir = _dir.Sub($"peer{i + 1}"),
            ApiSocket = _dir.Sub($"api{i + 1}.sock"),
            Hal = "simulated",
            Bind = Addresses[i],
            ReplicationPort = _replicationPort,
            RecoveryPort = _recoveryPort,
        };
        var store = Store.Open(options.DataDir);
        beforeStart?.Invoke(store);
        var node = new PeerNode(options, store, TimeProvider.System);
        var peer = i + 1;
        node.Logs.Events.Appended += e =>
        {
            if (e.Message.Contains("recover", StringComparison.Ordinal) || e.Message.StartsWith("cluster: joined", StringComparison.Ordinal))
                lock (_recoveryEvents) _recoveryEvents.Add($"{DateTime.UtcNow:HH:mm:ss.fff} peer {peer}: {e.Message}");
            if (RecoveryLine().Match(e.Message) is { Success: true } m)
                Interlocked.Add(ref _recoveryBytes, long.Parse(m.Groups[1].Value) + long.Parse(m.Groups[2].Value));
        };
        await node.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        _nodes[i] = node;
    }

    [GeneratedRegex(@"^recovery from .*\((\d+) bytes sent, (\d+) received\)")]
    private static partial Regex RecoveryLine();

    public async Task StopAsync(int i)
    {
        var node = _nodes[i];
        if (node is null) return;
        _nodes[i] = null;
        await NodeCalls.StopAsync(node);
    }

    public Task<JsonNode?> CallAsync(int i, string cmd, JsonObject args) => NodeCalls.CallAsync(this[i], cmd, args, TimeSpan.FromSeconds(60));

    /// <summary>Host name, LAN address, key and a Full release key (R14) through the API, as an operator sets them before clustering.</summary>
    public async Task PrepareAsync(int i)
    {
        await CallAsync(i, "config.set", new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray($"rbench-{i + 1}") });
        await CallAsync(i, "config.set", new JsonObject { ["path"] = "ipv4.address", ["values"] = new JsonArray(Addresses[i]) });
        await CallAsync(i, "config.set", new JsonObject { ["path"] = "ipv4.mask", ["values"] = new JsonArray("255.255.255.0") });
        await CallAsync(i, "config.confirm", new JsonObject()); // over the API the address waits for a confirm (NetworkWindow)
        await CallAsync(i, "cluster.setKey", new JsonObject { ["key"] = InProcessCluster.Key });
        await BenchLicences.InstallFullAsync(i, CallAsync);
    }

    public Task SetPeersAsync(int i, IEnumerable<string> addresses) =>
        CallAsync(i, "cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(addresses.Select(a => (JsonNode)a).ToArray()) });

    public bool Active(int i) => _nodes[i] is { } n && n.Cluster.Links.Count == Addresses.Count - 1 && n.Cluster.Links.All(l => l.Active);

    /// <summary>The conference collection's count and hash on one peer.</summary>
    public DigestIndex.Digest Conferences(int i) =>
        this[i].Store.WithDigests(d => d.Collections().GetValueOrDefault($"{Scopes.Cluster}/conferences"));

    public bool SameData(int a, int b) =>
        this[a].Store.WithDigests(d => d.Collections()) is var x && this[b].Store.WithDigests(d => d.Collections()) is var y
        && x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>Writes <paramref name="count"/> 200-byte conference records in batches of 1,000 (one durable commit each).</summary>
    public static void WriteConferences(Store store, string prefix, int count)
    {
        for (var start = 0; start < count; start += 1000)
        {
            var batch = Enumerable.Range(start, Math.Min(1000, count - start))
                .Select(n => new Mutation(Scopes.Cluster, "conferences", $"{prefix}-{n}", Bench.ConferenceStatus(prefix.Length, n))).ToList();
            store.Write(batch);
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            try { await StopAsync(i); }
            catch (Exception e) { Console.Error.WriteLine($"bench: stopping peer {i + 1}: {e.Message}"); }
        }
        _dir.Dispose();
    }
}
