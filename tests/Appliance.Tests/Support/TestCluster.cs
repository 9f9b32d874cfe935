namespace Appliance.Tests.Support;

/// <summary>
/// N real applianced processes, each on its own loopback address (default ports 4372/4371), host
/// names PREFIX1..PREFIXN. <see cref="FormAsync"/> clusters them the vendor guide's way. All
/// processes and the temp directory go away on dispose, whatever happened.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>A key long enough not to raise the weak-key alarm.</summary>
    public const string Key = "correct-horse-battery-staple";
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();
    private readonly List<DaemonProcess> _peers = [];

    private TestCluster(string hostPrefix) => HostPrefix = hostPrefix;

    public string HostPrefix { get; }
    public IReadOnlyList<DaemonProcess> Peers => _peers;
    public DaemonProcess this[int index] => _peers[index];
    public string Root => _dir.Path;

    /// <summary>The address of peer <paramref name="index"/> (0-based).</summary>
    public string Address(int index) => _peers[index].Bind!;

    public string Host(int index) => $"{HostPrefix}{index + 1}";

    /// <summary>Starts <paramref name="count"/> standalone peers with their host names set; not clustered yet.</summary>
    public static async Task<TestCluster> StartAsync(int count, string hostPrefix = "p", Func<int, IEnumerable<string>>? extraArgs = null)
    {
        var cluster = new TestCluster(hostPrefix);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var dir = Path.Combine(cluster.Root, $"{hostPrefix}{i + 1}");
                cluster._peers.Add(new DaemonProcess(Path.Combine(dir, "data"), Path.Combine(dir, "api.sock"),
                    LoopbackAddresses.Next(), extraArgs?.Invoke(i)));
            }
            await Task.WhenAll(cluster._peers.Select(p => p.StartAsync()));
            for (var i = 0; i < count; i++) await cluster[i].Set("system.hostname", cluster.Host(i));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the peers and forms one cluster of all of them.</summary>
    public static async Task<TestCluster> StartFormedAsync(int count, string hostPrefix = "p")
    {
        var cluster = await StartAsync(count, hostPrefix);
        try
        {
            await cluster.FormAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The guide's procedure: peer 1 gets the key and its own address and forms the cluster; then
    /// for each further peer, the members list it first, and the new peer gets the key and the
    /// list and joins. Returns when every pair shows "Active".
    /// </summary>
    public async Task FormAsync(string key = Key)
    {
        await FormOnFirstAsync(key);
        for (var k = 1; k < _peers.Count; k++)
        {
            var list = Enumerable.Range(0, k + 1).Select(Address).ToArray();
            for (var m = 0; m < k; m++) await _peers[m].SetPeers(list);
            await _peers[k].SetKey(key);
            await _peers[k].SetPeers(list);
            await WaitAllActiveAsync(k + 1);
        }
    }

    /// <summary>The guide's Task 2: peer 1 gets the key and its own address, and forms a cluster of one.</summary>
    public async Task FormOnFirstAsync(string key = Key)
    {
        await _peers[0].SetKey(key);
        await _peers[0].SetPeers(Address(0));
        await Eventually.WaitUntil(async () => (await _peers[0].ClusterId()).Length > 0, SettleTimeout, $"{Host(0)} forms a cluster");
    }

    /// <summary>Waits until each of the first <paramref name="count"/> peers shows every other one as "Active as HOST".</summary>
    public async Task WaitAllActiveAsync(int? count = null, TimeSpan? timeout = null)
    {
        var n = count ?? _peers.Count;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (i == j) continue;
                await WaitStatusAsync(i, j, $"Active as {Host(j)}", timeout);
            }
        }
    }

    /// <summary>Waits until peer <paramref name="viewer"/> shows peer <paramref name="target"/> with a status starting with <paramref name="prefix"/>.</summary>
    public Task<TimeSpan> WaitStatusAsync(int viewer, int target, string prefix, TimeSpan? timeout = null) =>
        WaitStatusAsync(_peers[viewer], Address(target), prefix, timeout);

    public static Task<TimeSpan> WaitStatusAsync(DaemonProcess viewer, string address, string prefix, TimeSpan? timeout = null) =>
        Eventually.WaitUntil(async () => (await viewer.PeerStatus(address)).StartsWith(prefix, StringComparison.Ordinal),
            timeout ?? SettleTimeout, $"{viewer.Name} shows {address} as '{prefix}...'",
            async () => (await viewer.Api("cluster.show")).ToJsonString());

    /// <summary>Every peer's <c>cluster show</c>, for a timeout's message.</summary>
    public async Task<string> DescribeAsync()
    {
        var views = new List<string>();
        foreach (var p in _peers)
        {
            try { views.Add($"{p.Name}: {(await p.Api("cluster.show")).ToJsonString()}"); }
            catch (Exception e) when (e is DaemonApiException or IOException or TimeoutException) { views.Add($"{p.Name}: ({e.Message})"); }
        }
        return string.Join("\n", views);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _peers) await p.DisposeAsync();
        _dir.Dispose();
    }
}
