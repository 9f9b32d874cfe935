using System.Text.Json.Nodes;
using Appliance.Daemon.Hosting;
using Appliance.Daemon.Node;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// All appliers of one peer, bound to its store (local and replicated commits), its cluster
/// settings and the HAL, plus the firewall accept window and its API commands.
/// </summary>
public sealed class ApplierSet : IAsyncDisposable
{
    private readonly Store.Store _store;
    private readonly Lock _gate = new();
    /// <summary>Replaced whole when a front door adds its applier: the commit thread reads it without a lock.</summary>
    private Applier[] _all;
    private bool _started;
    private readonly Action<CommitInfo> _onCommitted;
    private readonly Action<string> _onLocalChanged;

    public ApplierContext Context { get; }
    public FirewallWindow FirewallWindow { get; }
    public LinkApplier Link { get; }
    public AddressApplier Addresses { get; }
    public FirewallApplier Firewall { get; }
    public HostServicesApplier HostServices { get; }
    public HostFilesApplier HostFiles { get; }
    public SyslogApplier Syslog { get; }
    public SshApplier Ssh { get; }
    public SnmpApplier Snmp { get; }
    /// <summary>Present when the daemon manages sshd's authorized keys (--authorized-keys-file).</summary>
    public AuthorizedKeysApplier? AuthorizedKeys { get; }
    /// <summary>Present when the daemon applies passwords to the OS accounts (--accounts-file).</summary>
    public AccountsApplier? Accounts { get; }
    public IReadOnlyList<Applier> All => Volatile.Read(ref _all);

    /// <summary>Present when the peer serves SIP (a peer node always does; unit fixtures may not).</summary>
    public Sip.SipTrunkApplier? SipTrunk { get; }

    public ApplierSet(ApplierContext context, Api.ApiRouter? router = null, Sip.SipTrunk? sipTrunk = null)
    {
        Context = context;
        _store = context.Config.Store;
        FirewallWindow = new FirewallWindow(context.Config, context.Logs, context.Time);
        Link = new LinkApplier(context);
        Addresses = new AddressApplier(context);
        Firewall = new FirewallApplier(context, FirewallWindow);
        HostServices = new HostServicesApplier(context);
        HostFiles = new HostFilesApplier(context);
        Syslog = new SyslogApplier(context);
        Ssh = new SshApplier(context);
        Snmp = new SnmpApplier(context);
        List<Applier> all = [Link, Addresses, Firewall, HostServices, HostFiles, Syslog, Ssh, Snmp];
        if (context.AuthorizedKeysFile is { } keysFile) all.Add(AuthorizedKeys = new AuthorizedKeysApplier(context, keysFile));
        if (context.AccountsFile is { } accountsFile) all.Add(Accounts = new AccountsApplier(context, accountsFile));
        if (sipTrunk is not null) all.Add(SipTrunk = new Sip.SipTrunkApplier(context, sipTrunk));
        _all = [.. all];
        _onCommitted = c => { foreach (var a in All) a.OnCommitted(c); };
        _store.Committed += _onCommitted;
        _onLocalChanged = section => { foreach (var a in All.Where(a => a.AffectsLocal(section))) a.Trigger(); };
        context.Config.LocalChanged += _onLocalChanged;
        if (router is not null) new FirewallCommands(context.Config, FirewallWindow, Firewall, context.Time).Register(router);
    }

    /// <summary>Binds the appliers to a peer node: its config, logs, cluster peer list and API.</summary>
    public static ApplierSet Attach(PeerNode node, HalSet hal)
    {
        var context = new ApplierContext(node.Config, node.Logs, hal, () => node.Cluster.Settings.Peers)
        {
            AuthorizedKeysFile = node.Options.AuthorizedKeysFile,
            AccountsFile = node.Options.AccountsFile,
            SipPort = node.Options.SipPort,
            SipTlsPort = node.Options.SipTlsPort,
            ClusterStatus = () => SnmpStatus.Of(node),
        };
        var appliers = new ApplierSet(context, node.Router, node.SipTrunk);
        node.Cluster.Changed += appliers.Firewall.Trigger;
        return appliers;
    }

    public void Start()
    {
        FirewallWindow.Start();
        lock (_gate) _started = true;
        foreach (var a in All) a.Start();
    }

    /// <summary>
    /// Adds the applier of a part that starts after the peer (the HTTPS pages follow the management
    /// address): it runs on commits and shows in `status` like the others, and starts now if the set has.
    /// </summary>
    public void Add(Applier applier)
    {
        bool started;
        lock (_gate)
        {
            _all = [.. _all, applier];
            started = _started;
        }
        if (started) applier.Start();
    }

    /// <summary>Takes an added applier out (its part stops); the caller disposes it.</summary>
    public void Remove(Applier applier)
    {
        lock (_gate) _all = [.. _all.Where(a => a != applier)];
    }

    /// <summary>The status command's "appliers" array.</summary>
    public JsonArray Status() => new(All.Select(a =>
    {
        var s = a.Status;
        return (JsonNode)new JsonObject { ["name"] = s.Name, ["state"] = s.State, ["reason"] = s.Reason };
    }).ToArray());

    public async ValueTask DisposeAsync()
    {
        _store.Committed -= _onCommitted;
        Context.Config.LocalChanged -= _onLocalChanged;
        FirewallWindow.Dispose();
        foreach (var a in All) await a.DisposeAsync();
    }
}
