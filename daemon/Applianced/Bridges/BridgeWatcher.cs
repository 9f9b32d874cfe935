using Appliance.Daemon.Certificates;
using Appliance.Daemon.Config;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// Watches every configured bridge from this peer over its API (BridgeWatcher.Probe.cs): device.query,
/// then an OPTIONS to its SIP side (<see cref="SipProbe"/>), every <see cref="BridgeWatchTimings.Interval"/>, backing off to <see cref="BridgeWatchTimings.MaxBackoff"/>
/// while it fails. What it sees is kept here (<see cref="Current"/>, live), shared with the cluster
/// as this peer's bridge-status records (written on change only), and raised as an alarm while a
/// bridge is not usable from this peer (BridgeWatcher.Shared.cs). A change of the bridges, of
/// certificates.trustedCa or of the installed certificates restarts the watch of what it affects.
/// </summary>
public sealed partial class BridgeWatcher : IAsyncDisposable
{
    private readonly ConfigStore _config;
    private readonly InstalledCertificates _certificates;
    private readonly NodeLogs _logs;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly Cluster.Signal _reconcile = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public BridgeWatcher(ConfigStore config, InstalledCertificates certificates, NodeLogs logs, TimeProvider time)
    {
        _config = config;
        _certificates = certificates;
        _logs = logs;
        _time = time;
    }

    public BridgeWatchTimings Timings { get; init; } = new();

    /// <summary>
    /// Asks a bridge's SIP side whether it answers, after its API did (null: it does; else why not):
    /// device.query cannot show a bridge whose call handling died while its API lives, which would
    /// take new conferences and leave each first call waiting out timer B. The peer's SIP trunk sets
    /// it (SipTrunk.ProbeBridgeAsync); without it the API alone speaks for a bridge.
    /// </summary>
    public Func<BridgeEndpoint, TimeSpan, CancellationToken, Task<string?>>? SipProbe { get; set; }

    /// <summary>Only bridges whose address is an IPv4 address in one of these are asked (null: all); see DaemonOptions.BridgeWatchNetworks.</summary>
    public IReadOnlyList<System.Net.IPNetwork>? WatchedNetworks { get; init; }

    private string? NotWatched(BridgeEndpoint endpoint) =>
        WatchedNetworks is null
        || (System.Net.IPAddress.TryParse(endpoint.Address, out var ip) && WatchedNetworks.Any(n => n.Contains(ip)))
            ? null
            : $"not watched: {endpoint.Address} is outside --bridge-watch-networks";

    /// <summary>Raised (on a watch's task) when a bridge's state, reason or capacity changed.</summary>
    public event Action<BridgeHealth>? Changed;

    /// <summary>This peer's view of every bridge it watches, by name.</summary>
    public IReadOnlyList<BridgeHealth> Current
    {
        get { lock (_gate) return _watches.Values.Select(w => w.Health).OrderBy(h => h.Bridge, StringComparer.Ordinal).ToList(); }
    }

    public BridgeHealth? Get(string bridge)
    {
        lock (_gate) return _watches.TryGetValue(bridge, out var w) ? w.Health : null;
    }

    /// <summary>
    /// The client the watcher uses for a bridge (its trust and its kept connections), for the calls
    /// placement makes; null when no such bridge is configured. Do not dispose it, and ask again per
    /// call: it is replaced (and closed) when the bridge's settings or the trust change.
    /// </summary>
    public BridgeClient? Client(string bridge)
    {
        lock (_gate) return _watches.TryGetValue(bridge, out var w) ? w.Client : null;
    }

    /// <summary>The client of the bridge whose SIP side is at <paramref name="sip"/> over <paramref name="transport"/>, or null.</summary>
    public BridgeClient? ClientAtSip(System.Net.IPEndPoint sip, string transport)
    {
        lock (_gate)
            return _watches.Values.FirstOrDefault(w => w.Endpoint.SipTransport == transport && w.Endpoint.SipPort == sip.Port
                && System.Net.IPAddress.TryParse(w.Endpoint.Address, out var a) && a.Equals(sip.Address))?.Client;
    }

    public void Start()
    {
        _config.Store.Committed += OnCommitted;
        lock (_gate) _loop ??= Task.Run(() => ReconcileLoopAsync(_stop.Token));
        Trigger();
    }

    private void OnCommitted(CommitInfo commit)
    {
        if (commit.Changed.Any(r => (r.Scope == Scopes.Cluster && r.Section == "bridges")
            || (r.Scope == _config.OwnScope && r.Section is "certificates" or InstalledCertificates.Section)))
            Trigger();
    }

    /// <summary>A reconcile is due; several before it starts make one.</summary>
    private void Trigger() => _reconcile.Set();

    private async Task ReconcileLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _reconcile.WaitAsync(Timeout.InfiniteTimeSpan, ct);
                await ReconcileAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logs.Event($"bridge watcher: cannot apply the bridges settings: {e.Message}", "error");
            }
        }
    }

    /// <summary>Starts a watch per configured bridge, restarts those whose settings or trust changed, ends the rest.</summary>
    private async Task ReconcileAsync(CancellationToken ct)
    {
        var wanted = _config.Lookup().Items("bridges").Select(BridgeEndpoint.FromItem).ToDictionary(e => e.Name, StringComparer.Ordinal);
        var (tls, trustError) = Trust();
        var ended = new List<Watch>();
        lock (_gate)
        {
            foreach (var (name, watch) in _watches.ToList())
            {
                if (wanted.TryGetValue(name, out var endpoint) && endpoint == watch.Endpoint
                    && (!endpoint.IsHttps || (tls.Key == watch.Client.Tls.Key && trustError == watch.TrustError)))
                    continue;
                _watches.Remove(name);
                ended.Add(watch);
            }
        }
        foreach (var watch in ended) await watch.EndAsync();
        foreach (var watch in ended.Where(w => !wanted.ContainsKey(w.Endpoint.Name))) await ForgetAsync(watch.Endpoint.Name);
        lock (_gate)
        {
            foreach (var endpoint in wanted.Values.Where(e => !_watches.ContainsKey(e.Name)))
            {
                var skipped = NotWatched(endpoint);
                var watch = new Watch(endpoint, new BridgeClient(endpoint, tls, Timings.Timeout), endpoint.IsHttps ? trustError : null,
                    skipped is null ? Probing(endpoint.Name) : Probing(endpoint.Name) with { Reason = skipped }, CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    Shared = Stored(endpoint.Name),
                    Written = _time.GetUtcNow(),
                };
                _watches[endpoint.Name] = watch;
                if (skipped is null) watch.Task = Task.Run(() => WatchAsync(watch, watch.Stop.Token));
            }
        }
        await RemoveStaleAsync(wanted.Keys);
    }

    /// <summary>The roots certificates.trustedCa selects; a selection that cannot be used is a reason every HTTPS bridge is refused for.</summary>
    private (BridgeTls Tls, string? Error) Trust()
    {
        if (RuleContext.Text(_config.Read("certificates"), "trustedCa") is not { } name)
            return (BridgeTls.System, null);
        try
        {
            return (new BridgeTls(_certificates.TrustedRoots(name), $"certificates.trustedCa '{name}'"), null);
        }
        catch (InvalidOperationException e)
        {
            return (BridgeTls.System, $"certificates.trustedCa '{name}' cannot be used: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _config.Store.Committed -= OnCommitted;
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; }
            catch (OperationCanceledException) { }
        }
        List<Watch> all;
        lock (_gate)
        {
            all = [.. _watches.Values];
            _watches.Clear();
        }
        foreach (var w in all) await w.EndAsync();
        _stop.Dispose();
    }

    /// <summary>One bridge under watch: its settings, client, loop and what it last saw.</summary>
    private sealed class Watch(BridgeEndpoint endpoint, BridgeClient client, string? trustError, BridgeHealth health, CancellationTokenSource stop)
    {
        public BridgeEndpoint Endpoint { get; } = endpoint;
        public BridgeClient Client { get; } = client;
        public string? TrustError { get; } = trustError;
        public CancellationTokenSource Stop { get; } = stop;
        public Task? Task { get; set; }
        public BridgeHealth Health { get; set; } = health;

        /// <summary>What this peer's bridge-status record says (null: none), and when it was written.</summary>
        public BridgeHealth? Shared { get; set; }
        public DateTimeOffset Written { get; set; }

        /// <summary>A failure the B2BUA reported on the bridge's SIP side, held until when (BridgeWatcher.CallFailures.cs).</summary>
        public (string Reason, DateTimeOffset Until)? CallFailure { get; set; }

        public SemaphoreSlim Publishing { get; } = new(1, 1);

        public async Task EndAsync()
        {
            await Stop.CancelAsync();
            if (Task is not null)
            {
                try { await Task; }
                catch (OperationCanceledException) { }
            }
            Stop.Dispose();
            Client.Dispose();
        }
    }
}
