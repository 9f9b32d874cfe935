using System.Text.Json.Nodes;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Bench;

/// <summary>
/// N PeerNodes in this process on 127.0.0.101.., sharing one free replication port, each with its own
/// data dir and API socket, clustered through their API handlers as the vendor procedure does it.
/// </summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    public const string Key = "bench-cluster-key-0123456789";
    private readonly TempDir _dir = new();
    private readonly int _port = Bench.FreePort();
    private readonly PeerNode?[] _nodes;

    public IReadOnlyList<string> Addresses { get; }
    public int Count => _nodes.Length;
    public PeerNode this[int i] => _nodes[i] ?? throw new InvalidOperationException($"peer {i} is stopped");

    private InProcessCluster(int peers)
    {
        Addresses = Enumerable.Range(0, peers).Select(i => $"127.0.0.{101 + i}").ToList();
        _nodes = new PeerNode?[peers];
    }

    /// <summary>Starts the peers standalone, forms the cluster and waits until every link is Active.</summary>
    public static async Task<InProcessCluster> FormAsync(int peers)
    {
        var cluster = new InProcessCluster(peers);
        try
        {
            for (var i = 0; i < peers; i++) await cluster.StartPeerAsync(i);
            await FormAsync(cluster.Addresses, cluster.CallAsync);
            await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(30));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The vendor procedure, through the API commands: host name, LAN address and key on each peer;
    /// peer 1 forms the cluster with only its own address, then every peer gets the full list.
    /// </summary>
    public static async Task FormAsync(IReadOnlyList<string> addresses, Func<int, string, JsonObject, Task<JsonNode?>> call)
    {
        for (var i = 0; i < addresses.Count; i++)
        {
            await call(i, "config.set", new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray($"bench-{i + 1}") });
            await call(i, "config.set", new JsonObject { ["path"] = "ipv4.address", ["values"] = new JsonArray(addresses[i]) });
            await call(i, "config.set", new JsonObject { ["path"] = "ipv4.mask", ["values"] = new JsonArray("255.255.255.0") });
            await call(i, "config.confirm", new JsonObject()); // over the API the address waits for a confirm (NetworkWindow)
            await call(i, "cluster.setKey", new JsonObject { ["key"] = Key });
            await BenchLicences.InstallFullAsync(i, call);
        }
        await call(0, "cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(addresses[0]) });
        for (var i = 0; i < addresses.Count; i++)
            await call(i, "cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray(addresses.Select(a => (JsonNode)a).ToArray()) });
    }

    public async Task StartPeerAsync(int i, Action<Store>? beforeStart = null)
    {
        var options = new DaemonOptions
        {
            DataDir = _dir.Sub($"peer{i + 1}"),
            ApiSocket = _dir.Sub($"api{i + 1}.sock"),
            Hal = "simulated",
            Bind = Addresses[i],
            ReplicationPort = _port,
        };
        var store = Store.Open(options.DataDir);
        beforeStart?.Invoke(store);
        var node = new PeerNode(options, store, TimeProvider.System);
        await node.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        _nodes[i] = node;
    }

    /// <summary>Stops a peer as if its process ended: cluster sessions and API closed, store released.</summary>
    public async Task StopPeerAsync(int i)
    {
        var node = _nodes[i];
        if (node is null) return;
        _nodes[i] = null;
        await NodeCalls.StopAsync(node);
    }

    public Task<JsonNode?> CallAsync(int i, string cmd, JsonObject args) => NodeCalls.CallAsync(this[i], cmd, args, TimeSpan.FromSeconds(30));

    public bool AllActive(int i) => _nodes[i] is { } n && n.Cluster.Links.Count == Count - 1 && n.Cluster.Links.All(l => l.Active);

    public Task WaitAllActiveAsync(TimeSpan timeout) =>
        Bench.WaitUntilAsync(() => Enumerable.Range(0, Count).All(AllActive), timeout, () => $"all cluster links Active ({LinkStates()})");

    public string LinkStates() => string.Join("; ", _nodes.Select((n, i) => $"peer {i + 1}: " +
        string.Join(", ", n?.Cluster.Links.Select(l => $"{l.Address} {l.Status()}") ?? ["stopped"])));

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Count; i++)
        {
            try { await StopPeerAsync(i); }
            catch (Exception e) { Console.Error.WriteLine($"bench: stopping peer {i + 1}: {e.Message}"); }
        }
        _dir.Dispose();
    }
}
