using System.Net;
using Appliance.Daemon.Store;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// LAN1 IPv4: primary address/mask, default gateway and the additional addresses of this peer.
/// The HAL only ever removes addresses it added itself, so foreign addresses stay.
/// </summary>
public sealed class AddressApplier(ApplierContext context)
    : Applier("addresses", "IPv4 addresses not applied", context.Logs.Alarms, context.DriftInterval)
{
    protected override bool Affects(StoredRecord record) => context.IsOwn(record, "ipv4");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var plan = Plan();
        var iface = context.Hal.Interface;
        var result = await context.Hal.Addresses.ApplyAsync(iface, plan, ct);
        if (!result.Unchanged)
        {
            var parts = new List<string>();
            if (result.Added.Count > 0) parts.Add("added " + string.Join(", ", result.Added));
            if (result.Removed.Count > 0) parts.Add("removed " + string.Join(", ", result.Removed));
            if (result.GatewayChanged) parts.Add($"gateway {plan.Gateway?.ToString() ?? "removed"}");
            context.Logs.Event($"{iface}: {string.Join("; ", parts)}");
        }
        return ApplyResult.Done($"{plan.AllAddresses.Count} address(es) on {iface}{(plan.Gateway is null ? "" : $", gateway {plan.Gateway}")}");
    }

    internal AddressPlan Plan()
    {
        var address = context.Text("ipv4", "address");
        var mask = context.Text("ipv4", "mask");
        InterfaceAddress? primary = address is null ? null
            : mask is null ? new InterfaceAddress(IPAddress.Parse(address), 32)
            : InterfaceAddress.FromMask(IPAddress.Parse(address), IPAddress.Parse(mask));
        var gateway = context.Text("ipv4", "gateway") is { } g ? IPAddress.Parse(g) : null;
        // Additional addresses inside the LAN subnet share its prefix; others are host addresses so
        // they add no route for a subnet we do not know.
        var network = primary is null ? (IPNetwork?)null : new IPNetwork(Masked(primary), primary.PrefixLength);
        var additional = context.List("ipv4", "additional")
            .Select(IPAddress.Parse)
            .Select(a => network is { } n && n.Contains(a) ? new InterfaceAddress(a, n.PrefixLength) : new InterfaceAddress(a, 32))
            .ToList();
        return new AddressPlan(primary, gateway, additional);
    }

    private static IPAddress Masked(InterfaceAddress a)
    {
        var bytes = a.Address.GetAddressBytes();
        var value = (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(bytes));
        var mask = a.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - a.PrefixLength);
        return new IPAddress(BitConverter.GetBytes(IPAddress.HostToNetworkOrder((int)(value & mask))));
    }
}
