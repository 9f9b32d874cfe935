using System.Net;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// resolv.conf (this peer's DNS servers and domain) and the timesyncd drop-in (its NTP servers),
/// and the "no DNS server" alarm (R5) while dns.servers is empty.
/// </summary>
public sealed class HostFilesApplier(ApplierContext context)
    : Applier("host-files", "DNS/NTP settings not applied", context.Logs.Alarms, context.DriftInterval)
{
    public const string NoDnsAlarm = "no-dns-server";
    public const string TimesyncdUnit = "systemd-timesyncd.service";
    private IReadOnlyList<string>? _lastNtp;

    protected override bool Affects(StoredRecord record) => context.IsOwn(record, "dns", "ntp", "system");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var servers = context.List("dns", "servers");
        Alarms.Set(NoDnsAlarm, servers.Count == 0, AlarmRegistry.Warning, "no DNS server configured");
        var files = context.Hal.HostFiles;
        await files.WriteDnsAsync(new DnsSettings(context.Text("system", "domain"), servers.Select(IPAddress.Parse).ToList()), ct);
        var ntp = context.List("ntp", "servers");
        await files.WriteNtpAsync(ntp, ct);
        var note = "";
        // timesyncd reads its drop-ins only when it starts.
        if (_lastNtp is null || !_lastNtp.SequenceEqual(ntp))
        {
            try
            {
                await context.Hal.HostServices.RestartServiceAsync(TimesyncdUnit, ct);
                _lastNtp = ntp;
            }
            catch (Appliance.Hal.HostServices.HostServiceUnavailableException e)
            {
                note = $"; {TimesyncdUnit} not restarted: {e.Message}";
            }
        }
        return ApplyResult.Done($"{servers.Count} DNS server(s), {ntp.Count} NTP server(s){note}");
    }
}
