using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;
using Appliance.Hal.HostServices;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// Host name and time zone of this peer through the host services (hostname1, timedate1), and the
/// "NTP not synchronized" alarm from timedate1's NTPSynchronized (R5). Without a system bus the
/// status says so ("unavailable") instead of failing, and the next run tries again.
/// </summary>
public sealed class HostServicesApplier(ApplierContext context)
    : Applier("host-services", "Host settings not applied", context.Logs.Alarms, context.DriftInterval)
{
    public const string NtpAlarm = "ntp-unsynchronized";
    private IAsyncDisposable? _ntpWatch;

    protected override bool Affects(StoredRecord record) => context.IsOwn(record, "system", "time");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var host = context.Hal.HostServices;
        var hostname = context.Text("system", "hostname") ?? "appliance";
        var zone = context.Text("time", "zone") ?? "UTC";
        try
        {
            await host.SetStaticHostnameAsync(hostname, ct);
            await host.SetTimezoneAsync(zone, ct);
            _ntpWatch ??= await host.WatchNtpSynchronizedAsync(OnNtp, ct);
        }
        catch (HostServiceUnavailableException e)
        {
            return ApplyResult.Absent($"host services unavailable: {e.Message}");
        }
        return ApplyResult.Done($"host name {hostname}, time zone {zone}");
    }

    private void OnNtp(bool synchronized) =>
        Alarms.Set(NtpAlarm, !synchronized, AlarmRegistry.Warning, "NTP not synchronized");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Interlocked.Exchange(ref _ntpWatch, null) is { } watch) await watch.DisposeAsync();
    }
}
