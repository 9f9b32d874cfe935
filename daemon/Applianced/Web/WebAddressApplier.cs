using Appliance.Daemon.Appliers;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Web;

/// <summary>
/// Keeps the HTTPS pages on the management address (or the fixed --web-bind/--bind): runs when this
/// peer's ipv4 section changes (the front panel, a restore), moves the listener, and fails with its
/// alarm while the address cannot be bound (the drift timer tries again).
/// </summary>
internal sealed class WebAddressApplier(ApplierContext context, WebServer server)
    : Applier("web", "HTTPS administration not served", context.Logs.Alarms, context.DriftInterval)
{
    protected override bool Affects(StoredRecord record) => context.IsOwn(record, "ipv4");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var (endPoint, error) = await server.FollowAsync(ct);
        return endPoint is null ? ApplyResult.Refused(error ?? "not listening") : ApplyResult.Done($"serving https://{endPoint}/");
    }
}
