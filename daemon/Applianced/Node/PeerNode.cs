using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Config;
using Appliance.Daemon.Hosting;

namespace Appliance.Daemon.Node;

/// <summary>
/// One appliance peer, host-agnostic: owns the store, logs, API and the parts bound to them.
/// The generic host only starts and stops it.
/// </summary>
public sealed class PeerNode : IAsyncDisposable
{
    private readonly DaemonOptions _options;
    private readonly TimeProvider _time;
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly ApiServer _api;

    public Store.Store Store { get; }
    public NodeLogs Logs { get; }
    public ApiRouter Router { get; } = new();
    public ConfigStore Config { get; }
    public ClusterService Cluster { get; }
    public string Version { get; }
    public Maintenance.MaintenanceServices Maintenance { get; }
    public Appliers.ApplierSet Appliers { get; }
    public InvalidRecordAlarms InvalidRecords { get; }
    public CrossRecordAlarms CrossRecords { get; }
    public Conferencing.SplitWatcher Splits { get; }
    public Certificates.InstalledCertificates Certificates { get; }
    public SshKeys SshKeys { get; }
    public BridgeWatcher Bridges { get; }
    public Daemon.Appliers.NetworkWindow NetworkWindow { get; }
    /// <summary>SIP on the rendezvous addresses (the trunk from the call processor); its applier follows location-addresses.</summary>
    public Sip.SipTrunk SipTrunk { get; }
    public DaemonOptions Options => _options;

    /// <summary>Set by the host: stop the process and start it again with the same arguments.</summary>
    public Action RequestRestart { get; set; } = () => { };

    public PeerNode(DaemonOptions options, Store.Store store, TimeProvider time, HalSet? hal = null)
    {
        EnsurePoolThreads();
        _options = options;
        _time = time;
        Store = store;
        Version = options.ReportVersion ?? SoftwareVersion.Current;
        Logs = new NodeLogs(options.DataDir, options.LogCapBytes, time);
        _api = new ApiServer(Router, Logs.Events);
        Config = new ConfigStore(store, Logs);
        // First of the commit listeners that log: what arrives from a peer is in the configuration log
        // (and on `log.follow`) before the alarms' checks wake their threads (issue 19, write to visible).
        new ReplicationLog(Config, Logs).Attach(store);
        InvalidRecords = new InvalidRecordAlarms(store, Config, Logs, DescribePeer);
        InvalidRecords.Attach();
        Cluster = new ClusterService(store, Logs, time, new ClusterNodeInfo(Version, () => Config.HostName, OwnClusterAddress,
            () => Maintenance!.Licences.Hello(), options.ReplicationPort, options.RecoveryPort)
        {
            AddressClaims = () => Node.AddressClaims.Collect(Config, OwnClusterAddress(), ClusterAddressOf),
        });
        if (options.DialRetryMs is { } retryMs) Cluster.RetryDelay = TimeSpan.FromMilliseconds(retryMs);
        Cluster.Tombstones = new TombstonePolicy(TimeSpan.FromSeconds(options.TombstoneGraceSeconds), TimeSpan.FromSeconds(options.TombstoneHorizonSeconds));
        CrossRecords = new CrossRecordAlarms(store, Config, Logs, () => Cluster.Settings, ClusterAddressOf, DescribePeer);
        CrossRecords.Attach();
        Cluster.Changed += CrossRecords.PeersChanged;
        Splits = new Conferencing.SplitWatcher(store, message => Logs.Event(message, "warning"));
        Splits.Attach();
        var clusterCommands = new ClusterCommands(Cluster, Config, ConfigContext, OwnClusterAddress);
        clusterCommands.Register(Router);
        hal ??= HalSet.Simulated(options.DataDir, options.Serial, options.Interface);
        Maintenance = new Maintenance.MaintenanceServices(this, options, hal.Identity, time);
        Maintenance.Register(Router);
        clusterCommands.CheckPeers = Maintenance.Licences.CheckPeers;
        NetworkWindow = new Daemon.Appliers.NetworkWindow(Config, Logs, time) { Length = TimeSpan.FromSeconds(options.NetworkConfirmSeconds) };
        new ConfigCommands(Config, ConfigContext, clusterCommands, NetworkWindow).Register(Router);
        Certificates = new Certificates.InstalledCertificates(Config, time);
        new CertificateCommands(Certificates, Logs).Register(Router);
        new ConferenceCommands(Config).Register(Router);
        Bridges = new BridgeWatcher(Config, Certificates, Logs, time) { WatchedNetworks = options.BridgeWatchNetworks };
        new BridgeCommands(Bridges, Config, () => Cluster.Links).Register(Router);
        VerifyCommand.Register(Router, Cluster, Config);
        SshKeys = new SshKeys(Config);
        new SshKeyCommands(SshKeys, Config).Register(Router);
        LogCommands.Register(Router, Logs);
        store.Committed += c =>
        {
            if (!c.Remote && c.Changed.Any(r => r.Scope == Config.OwnScope && r.Section == "ipv4")) _ = Cluster.ReconfigureAsync();
            if (c.Remote) RenameLinks(c.Changed);
        };
        SipTrunk = new Sip.SipTrunk(options.SipPort, Logs, time) { TlsPort = options.SipTlsPort, Certificate = new Sip.SipCertificate(Config, Certificates, Logs) };
        SipTrunk.EnableCalls(Maintenance.Placer, Config, () => Bridges, ActivePeers, () => Cluster.Links.All(l => l.Active && l.PeerId is not null), Splits);
        SipTrunk.Holding = Cluster.CatchingUp;
        Bridges.SipProbe = SipTrunk.ProbeBridgeAsync;
        new CallCommands(SipTrunk).Register(Router);
        Appliers = Daemon.Appliers.ApplierSet.Attach(this, hal);
        Router.Add("status", _ => Status());
        new Diagnostics.DiagnosticCommands(NtpStatus).Register(Router);
        RuntimeCommand.Register(Router);
        if (options.TestFaults) TestFaultCommands.Register(Router, Heartbeats, Cluster, Logs);
        Router.Add("reboot", async (r, ct) =>
        {
            Logs.Event($"reboot requested by {r.Who} ({r.Channel})");
            // logind's clean reboot: services stop in order (not systemd's immediate Manager.Reboot).
            await hal.HostServices.RebootAsync(ct);
            return new JsonObject { ["message"] = "rebooting" };
        });
        Router.Add("session.login", r =>
        {
            Logs.Event($"login: {r.Who} opened an interactive {r.Channel} session");
            return new JsonObject();
        });
        Router.Add("restart", r =>
        {
            Logs.Event($"restart requested by {r.Who} ({r.Channel})");
            RequestRestart();
            return new JsonObject { ["message"] = "restarting" };
        });
    }

    public async Task StartAsync(CancellationToken ct)
    {
        Logs.Event($"applianced {Version} starting as peer {Store.PeerId} (data {_options.DataDir})");
        Logs.Event($"vendor key: {Licensing.VendorKey.Describe()}", Licensing.VendorKey.BuiltInIsTestKey ? "warning" : "info");
        // Before the API answers, so the first `ssh-keys list` already shows the seeded keys.
        SshKeySeed.Import(_options.SeedAuthorizedKeys, SshKeys, Store, Logs);
        _api.Start(_options.ApiSocket);
        await Cluster.ReconfigureAsync();
        Maintenance.Started();
        NetworkWindow.Start();
        Appliers.Start();
        Bridges.Start();
        await SipTrunk.StartCallsAsync();
        Logs.Event($"ready: API on {_options.ApiSocket}");
    }

    /// <summary>Stops everything the peer runs; the store stays open (its owner closes it). Runs once.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        Logs.Event("stopping");
        InvalidRecords.Stop();
        CrossRecords.Stop();
        Splits.Detach();
        NetworkWindow.Dispose();
        await Appliers.DisposeAsync();
        Bridges.SipProbe = null; // a probe through a trunk being closed would show every bridge unreachable on the way down
        await SipTrunk.DisposeAsync();
        await Bridges.DisposeAsync();
        await Cluster.DisposeAsync();
        await _api.DisposeAsync();
    }

    private JsonObject Status() => new()
    {
        ["title"] = "status",
        ["host"] = HostName,
        ["peerId"] = Store.PeerId,
        ["version"] = Version,
        ["vendorKey"] = Licensing.VendorKey.Describe(),
        ["uptimeSeconds"] = (long)_uptime.Elapsed.TotalSeconds,
        ["cluster"] = ClusterSummary(),
        ["alarms"] = Logs.Alarms.Active().Count,
        ["networkWindow"] = NetworkWindowStatus(),
        ["appliers"] = Appliers.Status(),
        ["store"] = StoreStatus(),
    };

    /// <summary>
    /// Records and tombstones held, and the file's size (LiteDB's log and the journal included), to
    /// watch purges; how many records wait in the journal for the file, and why they cannot move there
    /// while they cannot (commits stay durable in the journal).
    /// </summary>
    private JsonObject StoreStatus()
    {
        var (tombstones, records) = Store.TombstoneCounts();
        return new JsonObject
        {
            ["records"] = records, ["tombstones"] = tombstones, ["fileBytes"] = Store.FileBytes, ["journalError"] = Store.LastFlushError, ["journalRecords"] = Store.JournalRecords,
        };
    }
    /// <summary>The open network confirm window (null when none): what changed, when it reverts, seconds left.</summary>
    private JsonObject? NetworkWindowStatus() => NetworkWindow.Current is { } w ? new JsonObject
    {
        ["changed"] = string.Join(", ", w.Changed),
        ["revertsAt"] = Daemon.Appliers.NetworkWindow.Text(w.Deadline),
        ["secondsLeft"] = (long)Math.Ceiling(Math.Max(0, (w.Deadline - _time.GetUtcNow()).TotalSeconds)),
        ["keep"] = "config confirm",
    } : null;

    public string HostName => Config.HostName;

    /// <summary>diag.ntp (`show ntp`): the servers this peer uses and whether the clock is synchronized.</summary>
    private JsonObject NtpStatus() => new()
    {
        ["title"] = "NTP",
        ["servers"] = Config.Read("ntp")["servers"]?.DeepClone() ?? new JsonArray(),
        ["synchronized"] = !Logs.Alarms.IsActive(Daemon.Appliers.HostServicesApplier.NtpAlarm),
        // Where synchronized comes from (timedate1's NTPSynchronized): whether the daemon reaches it.
        ["timeService"] = Appliers.Status().OfType<JsonObject>().FirstOrDefault(a => (string?)a["name"] == "host-services") is { } s
            ? $"{s["state"]}: {s["reason"]}" : null,
    };

    /// <summary>The loops the systemd watchdog stands for: group commit, API, cluster.</summary>
    public IReadOnlyList<Health.Heartbeat> Heartbeats => [Store.Committer, _api.Served, Cluster.Loop];

    /// <summary>systemd's STATUS= line: "clustered, 2/2 active, 0 alarms" or "standalone, 1 alarm".</summary>
    public string StatusLine()
    {
        var alarms = Logs.Alarms.Active().Count;
        var cluster = Cluster.Settings.Clustered ? "clustered, " + ClusterSummary() : ClusterSummary();
        return $"{cluster}, {alarms} {(alarms == 1 ? "alarm" : "alarms")}";
    }

    /// <summary>"standalone", or "2/2 active" counting this peer, as the LCD and status show it.</summary>
    public string ClusterSummary()
    {
        if (!Cluster.Settings.Clustered) return "standalone";
        var links = Cluster.Links;
        return $"{links.Count(l => l.Active) + 1}/{links.Count + 1} active";
    }

    /// <summary>
    /// LiteDB is synchronous, so applying a batch, merging recovered records or reading them for a
    /// peer holds a pool thread for tens of milliseconds. With the default minimum (one thread per
    /// core) two such calls leave heartbeats and the live stream queued until the pool slowly adds
    /// threads; a higher minimum lets the kernel share the cores among them at once.
    /// </summary>
    private static void EnsurePoolThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (workers < MinPoolThreads) ThreadPool.SetMinThreads(MinPoolThreads, io);
    }

    private const int MinPoolThreads = 8;

    /// <summary>"this peer", or "peer 198.18.0.12 (host, id)" as far as the cluster links know it.</summary>
    private string DescribePeer(string peerId)
    {
        if (peerId == Store.PeerId) return "this peer";
        var link = Cluster?.Links.FirstOrDefault(l => l.PeerId == peerId);
        return link is null ? $"peer {TextRules.Escape(peerId)}"
            : $"peer {link.Address} ({(link.HostName is null ? "" : TextRules.Escape(link.HostName) + ", ")}{peerId})";
    }

    /// <summary>
    /// A peer renamed itself: its replicated system record holds the new name, which its links show
    /// from now on (the Hello's name is only as new as the last connection).
    /// </summary>
    private void RenameLinks(IReadOnlyList<Daemon.Store.StoredRecord> changed)
    {
        foreach (var r in changed)
        {
            if (r.Section != "system" || !Daemon.Store.Scopes.IsPeer(r.Scope, out var peerId) || peerId == Store.PeerId) continue;
            foreach (var link in Cluster.Links.Where(l => l.PeerId == peerId)) link.Renamed(Config.Read("system", peerId)["hostname"]!.GetValue<string>());
        }
    }

    /// <summary>This peer and the peers it has an active link to: among them one destroys an empty conference (ConferenceLinger).</summary>
    private IReadOnlyCollection<string> ActivePeers() =>
        [Store.PeerId, .. Cluster.Links.Where(l => l.Active && l.PeerId is not null).Select(l => l.PeerId!)];

    private string? OwnClusterAddress() => _options.Bind ?? Config.LanAddress;

    /// <summary>The front-panel menus, bound to this peer (none when no panel is attached).</summary>
    public Lcd.LcdService? CreatePanel(Appliance.Hal.Lcd.IFrontPanel panel)
    {
        var service = new Lcd.LcdService(panel, PanelBinding.Create(this, ConfigContext))
        {
            Presence = new Lcd.PanelPresence(_options.Lcd ?? "the front panel", (message, level) => Logs.Event(message, level)),
        };
        Store.Committed += _ => service.Refresh();
        NetworkWindow.Changed += service.Refresh;
        Logs.Alarms.Changed += service.Refresh;
        Cluster.Changed += service.Refresh;
        return service;
    }

    /// <summary>What validation of a change on this peer knows besides the value (R1, R7, the way-in rule).</summary>
    internal ConfigContext ConfigContext() => new()
    {
        OwnAddress = Config.LanAddress,
        AdminPasswordSet = Config.AdminPasswordSet,
        OwnSshDisabled = Config.SshDisabled(),
        IsClustered = Cluster.Settings.Clustered,
        // Read only by the rules that need them (most changes need neither).
        OtherPeers = new LazyList<PeerView>(() => Config.OtherPeers(Cluster.Settings, ClusterAddressOf)),
        ClusterAddresses = Cluster.Settings.Peers,
        Lookup = Config.Lookup(),
        InstalledCertificates = new LazyDictionary<string, string>(Certificates.Kinds),
    };

    /// <summary>A peer's address in the cluster's peer list as far as the links know it (this peer's own too).</summary>
    internal string? ClusterAddressOf(string peerId) =>
        peerId == Store.PeerId ? OwnClusterAddress() : Cluster.Links.FirstOrDefault(l => l.PeerId == peerId)?.Address;

    private int _stopped;

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
