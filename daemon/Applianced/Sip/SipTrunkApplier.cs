using Appliance.Daemon.Appliers;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Sip;

/// <summary>
/// Keeps the SIP listeners on this peer's rendezvous addresses: runs at start and whenever this
/// peer's location-addresses change, or its certificates (TLS is served while one is selected), and
/// fails (with its alarm) while an address cannot be bound.
/// </summary>
public sealed class SipTrunkApplier(ApplierContext context, SipTrunk trunk)
    : Applier("sip", "SIP trunk not listening", context.Logs.Alarms, context.DriftInterval)
{
    protected override bool Affects(StoredRecord record) =>
        context.IsOwn(record, "location-addresses", "certificates", Certificates.InstalledCertificates.Section);

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var listening = await trunk.ListenAsync(context.RendezvousAddresses(), ct);
        var tls = trunk.ListeningTls;
        return ApplyResult.Done(listening.Count == 0
            ? "no rendezvous address: not listening"
            : $"listening on {string.Join(", ", listening)} (UDP, TCP)" + (tls.Count == 0 ? "" : $", {string.Join(", ", tls)} (TLS)"));
    }
}
