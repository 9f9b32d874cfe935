using System.Text.Json.Nodes;

namespace Appliance.Tests.Harness;

/// <summary>
/// Peers on a <see cref="TestNetwork"/>: one host and one real applianced per peer (p1, p2, ...
/// at 198.18.0.11, .12, ...), each with its own data directory, plus the fault injector. Forms
/// the cluster the vendor's way (<see cref="FormAsync"/>). Disposing stops every process, removes
/// the rules, the namespaces and the directories, whatever state the test left them in.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly int[] ClusterPorts = [4371, 4372];
    private readonly List<PeerProcess> _peers = [];
    private readonly Action<string> _log;

    public TestNetwork Network { get; }
    public LinkFaults Faults { get; }
    public string WorkDir { get; }
    public IReadOnlyList<PeerProcess> Peers => _peers;
    public PeerProcess this[int index] => _peers[index];

    private TestCluster(TestNetwork network, string workDir, Action<string> log)
    {
        Network = network;
        WorkDir = workDir;
        _log = log;
        Faults = new LinkFaults(network, log);
    }

    /// <summary>Creates the network and its hosts; peers are started by <see cref="StartPeersAsync"/> so a capture can begin first.</summary>
    public static async Task<TestCluster> CreateAsync(int peers, Action<string> log)
    {
        var network = await TestNetwork.CreateAsync(log).ConfigureAwait(false);
        // Short paths: the API socket path must stay under 108 bytes.
        var cluster = new TestCluster(network, Directory.CreateTempSubdirectory("aplh-").FullName, log);
        try
        {
            for (var i = 1; i <= peers; i++) await network.AddHostAsync($"p{i}").ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return cluster;
    }

    /// <summary>Creates the hosts, starts the peers, forms the cluster with <paramref name="key"/> and waits until every link is Active.</summary>
    public static async Task<TestCluster> StartFormedAsync(int peers, Action<string> log, string key, TimeSpan? timeout = null)
    {
        var cluster = await CreateAsync(peers, log).ConfigureAwait(false);
        try
        {
            await cluster.StartPeersAsync().ConfigureAwait(false);
            await cluster.FormAsync(key).ConfigureAwait(false);
            await cluster.WaitAllActiveAsync(timeout ?? TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts a daemon on each host made so far, each with <paramref name="args"/> added to its command line.</summary>
    public async Task StartPeersAsync(IReadOnlyList<string>? args = null)
    {
        // In parallel: each daemon takes a few seconds to start and the test waits for all anyway.
        var started = await Task.WhenAll(Network.Hosts.Select(h =>
            PeerProcess.StartAsync(h, Path.Combine(WorkDir, h.Name), _log, args))).ConfigureAwait(false);
        _peers.AddRange(started);
    }

    /// <summary>The peers' addresses (hosts added after the peers started run no daemon and are not peers).</summary>
    public IReadOnlyList<string> Addresses => _peers.Select(p => p.Host.Address).ToList();

    /// <summary>
    /// The vendor procedure: peer 1 gets its host name, address, the key and a peer list of only
    /// itself (forms a cluster of one); then every other peer gets its host name, address, the key
    /// and the full list; finally peer 1 gets the full list too.
    /// </summary>
    public async Task FormAsync(string key, IReadOnlyList<string>? keys = null)
    {
        var all = Addresses.ToArray();
        for (var i = 0; i < _peers.Count; i++)
        {
            var peer = _peers[i];
            await peer.Api.SetAsync("system.hostname", $"{peer.Host.Name}-{Network.RunId[^6..]}").ConfigureAwait(false);
            await peer.Api.SetAsync("ipv4.address", peer.Host.Address).ConfigureAwait(false);
            await peer.Api.SetKeyAsync(keys?[i] ?? key).ConfigureAwait(false);
            await peer.Api.SetPeersAsync(i == 0 ? [peer.Host.Address] : all).ConfigureAwait(false);
            _log($"form: {peer.Host.Name} configured");
        }
        await _peers[0].Api.SetPeersAsync(all).ConfigureAwait(false);
    }

    /// <summary>Waits until every peer shows every other as "Active as ...".</summary>
    public Task WaitAllActiveAsync(TimeSpan timeout) => WaitStatusAsync(s => s.StartsWith("Active as ", StringComparison.Ordinal), "Active", timeout);

    /// <summary>Waits until, on every peer, every other peer's status satisfies <paramref name="accept"/>.</summary>
    public async Task WaitStatusAsync(Func<string, bool> accept, string what, TimeSpan timeout, IEnumerable<PeerProcess>? on = null)
    {
        foreach (var peer in on ?? _peers)
        {
            await Eventually.UntilAsync($"{peer.Host.Name} to see every other peer {what}", () => peer.Api.PeerStatusAsync(),
                s => s.Count == _peers.Count && s.Where(kv => kv.Key != peer.Host.Address).All(kv => accept(kv.Value)), timeout).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A conference item, which is shared configuration and replicates; on <paramref name="bridge"/>
    /// and template t1, added first where this peer holds neither (a conference names existing ones).
    /// </summary>
    public static async Task<JsonNode> AddConferenceAsync(PeerProcess peer, string name, int participants, string bridge = "bridge-1")
    {
        await AddIfMissingAsync(peer, "bridges", bridge, new Dictionary<string, string> { ["address"] = "198.18.2.10" }).ConfigureAwait(false);
        await AddIfMissingAsync(peer, "templates", "t1", new Dictionary<string, string>()).ConfigureAwait(false);
        return await peer.Api.AddAsync("conferences", name, new Dictionary<string, string>
        {
            ["bridge"] = bridge,
            ["template"] = "t1",
            ["participants"] = participants.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["started"] = "2026-01-01T00:00:00Z",
        }).ConfigureAwait(false);
    }

    private static async Task AddIfMissingAsync(PeerProcess peer, string section, string name, Dictionary<string, string> fields)
    {
        try { await peer.Api.AddAsync(section, name, fields).ConfigureAwait(false); }
        catch (PeerApiException e) when (e.Kind == "conflict") { }
    }

    /// <summary>The conferences a peer holds, as "name:participants" sorted, for comparing peers.</summary>
    public static async Task<string> ConferencesAsync(PeerProcess peer)
    {
        var shown = await peer.Api.ShowAsync("conferences").ConfigureAwait(false);
        var items = shown["sections"]!.AsArray().SelectMany(s => s!["items"]?.AsArray() ?? []).Select(i => i!.ToJsonString()).Order(StringComparer.Ordinal);
        return string.Join("\n", items);
    }

    public async ValueTask DisposeAsync()
    {
        await Faults.DisposeAsync().ConfigureAwait(false);
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync().ConfigureAwait(false);
            _log($"--- {peer.Host.Name} output (last 20 lines) ---\n{string.Join('\n', peer.Output.TakeLast(20))}");
            _log($"--- {peer.Host.Name} event log (last 60 lines) ---\n{string.Join('\n', peer.EventLog().TakeLast(60))}");
        }
        await Network.DisposeAsync().ConfigureAwait(false);
        try { Directory.Delete(WorkDir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
