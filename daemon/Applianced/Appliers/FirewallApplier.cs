using Appliance.Daemon.Node;
using Appliance.Daemon.Store;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// The appliance's nftables table: the ACTIVE operator rules (shared, so every peer applies them)
/// plus the cluster rule that admits 4371/4372 only from the configured cluster peers, UDP 161
/// open only while this peer's snmp.enabled is true, and SIP (5060 UDP and TCP) open on this peer's
/// rendezvous addresses (location-addresses), where the call processor's trunk arrives. The whole
/// table is replaced in one transaction, and only when what the host runs differs.
/// </summary>
public sealed class FirewallApplier(ApplierContext context, FirewallWindow window)
    : Applier("firewall", "Firewall rules not applied", context.Logs.Alarms, context.DriftInterval)
{
    protected override bool Affects(StoredRecord record) =>
        ApplierContext.IsShared(record, FirewallWindow.ActiveSection) || context.IsOwn(record, "snmp", "location-addresses");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var snmpOpen = SnmpEnabled();
        var sip = context.RendezvousAddresses();
        var wanted = FirewallRules.Ruleset(window.ActiveToApply(), context.ClusterPeers(), snmpOpen, sip, context.SipPort, context.SipTlsPort);
        var firewall = context.Hal.Firewall;
        var running = await firewall.ReadBackAsync(ct);
        var summary = $"{wanted.OperatorRules.Count} operator rule(s), cluster ports open to {(wanted.ClusterPeers.Count == 0 ? "no peer" : string.Join(", ", wanted.ClusterPeers))}, SNMP {(snmpOpen ? "open" : "closed")}, SIP {(sip.Count == 0 ? "closed" : $"open on {string.Join(", ", sip)}")}";
        if (running is not null && wanted.SameAs(running.Ruleset)) return ApplyResult.Done(summary);
        await firewall.ApplyAsync(wanted, ct);
        context.Logs.Event($"firewall applied: {summary}");
        return ApplyResult.Done(summary);
    }

    // An snmp record that fails its check closes SNMP but must not hold back the rest of the firewall.
    private bool SnmpEnabled()
    {
        try { return context.Section("snmp")["enabled"]?.GetValue<bool>() == true; }
        catch (InvalidRecordException) { return false; }
    }
}
