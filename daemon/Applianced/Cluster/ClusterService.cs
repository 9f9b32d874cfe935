using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Crypto;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Membership and replication of this peer: listens on the replication port of its own address,
/// dials every other configured peer, keeps one <see cref="PeerLink"/> per address, forms and joins
/// clusters (R9) and leaves them (R10), all live (R11).
/// </summary>
public sealed partial class ClusterService : IAsyncDisposable
{
    /// <summary>
    /// Each heartbeat is a TLS record and a wake-up on both sides of every link, most of what an idle
    /// cluster costs (issue 19). A beat a second cut an idle daemon's CPU by about a fifth, but left a
    /// stall of 2 s (not 2.5 s) enough for a false "unreachable", and a delayed-link test failed that
    /// way on the loaded test machine: two a second stay. Detection is DeadAfter either way: the
    /// receiver times its read, the sender its wait (OutboundSession.HeartbeatLoop), to the silence.
    /// </summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, PeerLink> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CancellationTokenSource> _dialers = new(StringComparer.Ordinal);
    private readonly ClusterNodeInfo _info;
    private readonly PeerCertificate _certificate;
    private readonly TlsTransport _transport;
    private TransportListener? _listener;
    private IPEndPoint? _listening;
    private CancellationTokenSource _sessions = new();

    internal Store.Store Store { get; }
    internal NodeLogs Logs { get; }
    internal TimeProvider Time { get; }
    /// <summary>Sends every outbound session's heartbeats.</summary>
    internal HeartbeatThread Heartbeats { get; } = new();
    public ClusterSettings Settings { get; private set; }

    /// <summary>Raised when any link changes state or the settings change (status screens, alarms).</summary>
    public event Action? Changed;

    /// <summary>Turns the store copy taken before a join into a regular backup file; returns its path.</summary>
    public Func<string, string>? ArchivePreJoinCopy { get; set; }

    public ClusterService(Store.Store store, NodeLogs logs, TimeProvider time, ClusterNodeInfo info)
    {
        Store = store;
        Logs = logs;
        Time = time;
        _info = info;
        Settings = ClusterSettings.Load(store);
        PrepareSecret(); // before anything dials: a dial would start deriving what the store kept
        StartCatchUp();
        _certificate = LoadOrCreateCertificate(store);
        var transportLog = new Logs.RateLimitedLog(m => Logs.Event(m, "warning"), time);
        _transport = new TlsTransport(() => _certificate.Certificate, Credentials, log: transportLog.Write);
    }

    /// <summary>
    /// What the key proof runs with: the key and our cluster id. Until we have an id, we derive a
    /// secret for the id a dialer announces only when it is one of our listed peers.
    /// </summary>
    internal ClusterCredentials Credentials()
    {
        var settings = Settings;
        return new ClusterCredentials(settings.Key ?? "", settings.ClusterId)
        {
            AdoptsIdFrom = address => settings.Peers.Any(p => IPAddress.TryParse(p, out var listed) && listed.Equals(address)),
        };
    }

    /// <summary>
    /// Derives the secret for our key and id in the background, so handshakes find it cached; the
    /// one the store kept from before a restart is taken instead when it is for the same key and id.
    /// </summary>
    private void PrepareSecret()
    {
        var kept = Store.GetLocal(ClusterSettings.SecretName);
        if (Settings.Key is not { Length: > 0 } key)
        {
            // The key is gone (left the cluster, unset): so is what proves holding it.
            if (kept is not null) Store.SetLocal(ClusterSettings.SecretName, null);
            return;
        }
        var clusterId = Settings.ClusterId;
        var name = ClusterSecret.CacheKey(key, clusterId, Argon2Cost.Default);
        if (KeptSecret(kept, name) is { } secret)
        {
            ClusterSecret.Remember(name, secret);
            return;
        }
        _ = Credentials().SecretAsync(clusterId).ContinueWith(derived =>
        {
            if (!derived.IsCompletedSuccessfully || Settings.Key != key || Settings.ClusterId != clusterId) return;
            var value = $"{name} {Convert.ToBase64String(derived.Result.DerivedKey)}";
            // The constructor and the first reconfiguration both ask: one durable write is enough.
            try { if (Store.GetLocal(ClusterSettings.SecretName) != value) Store.SetLocal(ClusterSettings.SecretName, value); }
            catch (ObjectDisposedException) { } // stopped meanwhile: the next start derives it
        }, TaskScheduler.Default);
    }

    /// <summary>
    /// The kept secret when it is for this cache name and whole (the name holds spaces, the cost's
    /// text; base64 never does); null otherwise, and the secret is derived again rather than the
    /// daemon refusing to start over a damaged value.
    /// </summary>
    private static byte[]? KeptSecret(string? kept, string name)
    {
        if (kept is null || kept.LastIndexOf(' ') is not (> 0 and var cut) || kept[..cut] != name) return null;
        var secret = new byte[ClusterSecret.DerivedKeySize];
        return Convert.TryFromBase64String(kept[(cut + 1)..], secret, out var written) && written == secret.Length ? secret : null;
    }

    private static PeerCertificate LoadOrCreateCertificate(Store.Store store)
    {
        const string name = "cluster-certificate";
        if (store.GetLocal(name) is { } pfx) return PeerCertificate.Load(Convert.FromBase64String(pfx));
        var created = PeerCertificate.Create(store.PeerId);
        store.SetLocal(name, Convert.ToBase64String(created.Export()));
        return created;
    }


    public X509Certificate2 Certificate => _certificate.Certificate;

    /// <summary>This peer's cluster address (its LAN address), null while it has none.</summary>
    internal string? OwnAddress => _info.OwnAddress();

    /// <summary>How long a dialer waits after a failed or refused attempt, unless its link is woken (PeerLink.Redial).</summary>
    internal TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public HelloMessage LocalHello()
    {
        var (edition, licence) = _info.Licence();
        return new HelloMessage(Store.PeerId, _info.HostName(), _info.Version, ProtocolVersions.Current, edition, licence,
            Settings.ClusterId, Settings.SortedPeers, Store.VersionVector(), _info.AddressClaims?.Invoke(),
            Settings.ClusterId is null ? null : JoinedAt());
    }

    public IReadOnlyList<PeerLink> Links
    {
        get { lock (_gate) return _links.Values.ToList(); }
    }

    internal PeerLink? LinkFor(string? remoteAddress, HelloMessage hello)
    {
        lock (_gate) return remoteAddress is not null && _links.TryGetValue(remoteAddress, out var link) ? link : null;
    }

    /// <summary>
    /// For the listeners: handshakes from a configured peer address draw on slots that strangers
    /// cannot take, so a restarted peer gets back in whatever a stranger holds open.
    /// </summary>
    private bool IsListedPeer(IPAddress address) =>
        Settings.Peers.Any(p => IPAddress.TryParse(p, out var listed) && listed.Equals(address));

    internal void LinkMeasured(PeerLink link) => ClusterAlarms.Measured(Logs.Alarms, link);


    public async ValueTask DisposeAsync()
    {
        await StopLoopAsync();
        await StopAllAsync();
        Heartbeats.Dispose();
        _certificate.Dispose();
    }
}

/// <summary>What the cluster needs to know about this node that lives elsewhere (config, licences).</summary>
public sealed record ClusterNodeInfo(string Version, Func<string> HostName, Func<string?> OwnAddress,
    Func<(string Edition, string LicenceState)> Licence, int ReplicationPort, int RecoveryPort)
{
    /// <summary>The addresses every peer whose records we hold has (R7), for the Hello (see <see cref="JoinCheck"/>).</summary>
    public Func<IReadOnlyList<AddressClaim>>? AddressClaims { get; init; }
}
