using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Certificates;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// Forwards this peer's event and configuration logs (R15) to its remote syslog servers as RFC 5424
/// messages. A change of syslog.servers, or of the CA bundle certificates.trustedCa selects, replaces
/// the forwarder; entries are queued, never waited for. TLS servers are checked against that bundle
/// alone when it is set, else against the system's CAs, and always by host name.
/// </summary>
public sealed class SyslogApplier : Applier
{
    private readonly ApplierContext _context;
    private readonly Lock _gate = new();
    private SyslogForwarder? _forwarder;
    private IReadOnlyList<SyslogServer> _servers = [];
    private string _trust = "";
    private string _host = "appliance";

    public SyslogApplier(ApplierContext context)
        : base("syslog", "Remote syslog not applied", context.Logs.Alarms, context.DriftInterval)
    {
        _context = context;
        context.Logs.Events.Appended += e => Forward("event", e);
        context.Logs.Config.Appended += e => Forward("config", e);
    }

    protected override bool Affects(StoredRecord record) =>
        _context.IsOwn(record, "syslog", "system", "certificates", InstalledCertificates.Section);

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var wanted = _context.List("syslog", "servers").Select(SyslogServer.Parse).ToList();
        var host = _context.Text("system", "hostname") ?? "appliance";
        var (roots, trust) = TrustedRoots();
        SyslogForwarder? old = null;
        lock (_gate)
        {
            _host = host;
            if (!wanted.SequenceEqual(_servers) || trust != _trust)
            {
                old = _forwarder;
                _forwarder = wanted.Count == 0 ? null : _context.Hal.SyslogForwarder(wanted, new SyslogForwarderOptions { TrustedRoots = roots });
                _servers = wanted;
                _trust = trust;
            }
        }
        if (old is not null) await old.DisposeAsync();
        if (wanted.Count == 0) return ApplyResult.Done("no remote syslog server");
        var status = _forwarder?.Status ?? [];
        var errors = status.Where(s => s.LastError is not null && !s.Connected).Select(s => $"{s.Server}: {s.LastError}").ToList();
        var sent = string.Join(", ", status.Select(s => $"{s.Server} ({s.Sent} sent, {s.Dropped} dropped)"));
        return ApplyResult.Done($"forwarding to {sent}{(errors.Count == 0 ? "" : "; retrying " + string.Join("; ", errors))}");
    }

    /// <summary>
    /// The roots certificates.trustedCa selects and a text that changes with them (name and
    /// fingerprints, so a bundle removed and installed again under the same name counts as new);
    /// null roots: the system store. A name that is not installed fails the run: forwarding to TLS
    /// servers under a trust the operator did not choose would be worse than keeping the old one.
    /// </summary>
    private (X509Certificate2Collection? Roots, string Trust) TrustedRoots()
    {
        if (_context.Text("certificates", "trustedCa") is not { } name)
            return (null, "");
        var roots = new InstalledCertificates(_context.Config, _context.Time).TrustedRoots(name);
        return (roots, name + ":" + string.Join(",", roots.Select(c => c.Thumbprint)));
    }

    private void Forward(string kind, LogEntry e)
    {
        SyslogForwarder? forwarder;
        string host;
        lock (_gate) (forwarder, host) = (_forwarder, _host);
        forwarder?.Send(ToMessage(kind, e, host));
    }

    internal static SyslogMessage ToMessage(string kind, LogEntry e, string host)
    {
        var text = e.Message;
        if (e.Field is not null) text += $" [{e.Field}: {e.Old ?? "-"} -> {e.New ?? "-"}]";
        if (e.User is not null) text += $" by {e.User}{(e.Channel is null ? "" : " via " + e.Channel)}";
        var severity = e.Level switch
        {
            "error" => SyslogSeverity.Error,
            "warning" or "conflict" => SyslogSeverity.Warning,
            "change" => SyslogSeverity.Notice,
            _ => SyslogSeverity.Informational,
        };
        return new SyslogMessage(SyslogFacility.Local0, severity, e.Time, host, "applianced",
            Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, text);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SyslogForwarder? f;
        lock (_gate) (f, _forwarder) = (_forwarder, null);
        if (f is not null) await f.DisposeAsync();
    }
}
