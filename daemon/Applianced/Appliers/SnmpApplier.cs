using Appliance.Daemon.Store;
using Appliance.Hal.HostServices;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// Debian's snmpd, run by systemd, configured from this peer's snmp section and host name: the
/// rendered file is snmpd's only configuration, and snmpd is restarted when it changes, started
/// when it should run (every daemon start re-applies), and stopped with the file removed when
/// snmp.enabled is false (the unit's drop-in does not start it at boot without the file). While
/// enabled, the cluster's state is written to the status files every few seconds. UDP 161 follows
/// snmp.enabled in the firewall applier.
/// </summary>
public sealed class SnmpApplier : Applier
{
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);
    private readonly ApplierContext _context;
    private readonly ITimer _statusTimer;
    // What snmpd was last (re)started with by this process: a file left by an earlier run or a
    // restart that failed does not count, so the next run restarts it.
    private string? _running;
    private volatile SnmpdFiles? _statusFiles;

    public SnmpApplier(ApplierContext context)
        : base("snmp", "SNMP agent not applied", context.Logs.Alarms, context.DriftInterval)
    {
        _context = context;
        _statusTimer = context.Time.CreateTimer(_ => WriteStatus(), null, StatusInterval, StatusInterval);
    }

    protected override bool Affects(StoredRecord record) => _context.IsOwn(record, "snmp", "system");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var snmp = _context.Section("snmp");
        var enabled = snmp["enabled"]?.GetValue<bool>() == true;
        if (_context.Hal.Snmp is not { } files)
            return ApplyResult.Absent($"snmpd is not managed by this daemon (no snmpdConf option); snmp.enabled is {(enabled ? "true" : "false")}");
        var host = _context.Hal.HostServices;
        try
        {
            if (!enabled)
            {
                _statusFiles = null;
                // The file first: should the stop fail, snmpd at least does not come back at boot.
                SnmpFiles.Delete(files.ConfigFile);
                _running = null;
                await host.StopServiceAsync(SnmpdFiles.Unit, ct);
                return ApplyResult.Done($"off: {SnmpdFiles.Unit} stopped, UDP {Hal.FirewallRuleset.SnmpPort} closed");
            }
            var settings = new SnmpdSettings(_context.Text("snmp", "community")!, _context.Text("snmp", "contact"),
                _context.Text("snmp", "location"), _context.Text("system", "hostname") ?? "appliance");
            var config = SnmpdConfig.Render(settings, files);
            _statusFiles = files;
            WriteStatus();
            SnmpFiles.Write(files.ConfigFile, config, SnmpFiles.Private);
            if (_running != config)
            {
                await host.RestartServiceAsync(SnmpdFiles.Unit, ct);
                _running = config;
                _context.Logs.Event($"snmp: {SnmpdFiles.Unit} restarted with the new configuration");
            }
            else
            {
                await host.StartServiceAsync(SnmpdFiles.Unit, ct);
            }
            return ApplyResult.Done($"on: {SnmpdFiles.Unit} serving sysName {settings.SysName} on {files.AgentAddress}");
        }
        catch (HostServiceUnavailableException e)
        {
            return ApplyResult.Absent($"{SnmpdFiles.Unit} not {(enabled ? "restarted" : "stopped")}: {e.Message}");
        }
    }

    /// <summary>Writes the status files now (also every <see cref="StatusInterval"/>); a file is replaced only when its value changed.</summary>
    internal void WriteStatus()
    {
        if (_statusFiles is not { } files)
            return;
        try
        {
            foreach (var (file, content) in _context.ClusterStatus().Files())
                SnmpFiles.Write(Path.Combine(files.StatusDir, file), content, SnmpFiles.Public);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Alarms.Set(AlarmId + ":status", true, Logs.AlarmRegistry.Warning, $"SNMP status not written to {files.StatusDir}: {e.Message}");
            return;
        }
        Alarms.Set(AlarmId + ":status", false, Logs.AlarmRegistry.Warning, "");
    }

    public override async ValueTask DisposeAsync()
    {
        await _statusTimer.DisposeAsync();
        await base.DisposeAsync();
    }
}
