using System.Net;

namespace Appliance.Hal;

/// <summary>In-memory addresses for <c>--hal simulated</c> and the demo, with the same ownership rule as the Linux one.</summary>
public sealed class SimulatedAddressManager : IAddressManager
{
    private readonly Dictionary<string, List<InterfaceAddress>> _addresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<InterfaceAddress>> _owned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IPAddress?> _gateways = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Puts an address on an interface as if someone else had (the manager will never remove it).</summary>
    public void AddForeign(string interfaceName, InterfaceAddress address)
    {
        lock (_lock)
        {
            var list = List(interfaceName);
            if (!list.Contains(address))
                list.Add(address);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InterfaceAddress>> ReadAsync(string interfaceName, CancellationToken cancellationToken = default)
    {
        LinuxLinkSettings.ValidateName(interfaceName);
        lock (_lock)
            return Task.FromResult<IReadOnlyList<InterfaceAddress>>(List(interfaceName).ToArray());
    }

    /// <inheritdoc />
    public Task<IPAddress?> ReadGatewayAsync(string interfaceName, CancellationToken cancellationToken = default)
    {
        lock (_lock)
            return Task.FromResult(_gateways.GetValueOrDefault(interfaceName));
    }

    /// <inheritdoc />
    public Task<AddressReconcileResult> ApplyAsync(string interfaceName, AddressPlan desired, CancellationToken cancellationToken = default)
    {
        LinuxLinkSettings.ValidateName(interfaceName);
        lock (_lock)
        {
            var list = List(interfaceName);
            if (!_owned.TryGetValue(interfaceName, out var owned))
                _owned[interfaceName] = owned = [];
            var want = desired.AllAddresses;
            var removed = list.Where(a => owned.Contains(a) && !want.Contains(a)).ToList();
            list.RemoveAll(removed.Contains);
            var added = want.Where(a => !list.Contains(a)).ToList();
            list.AddRange(added);
            owned.UnionWith(added);
            owned.IntersectWith(want);
            var old = _gateways.GetValueOrDefault(interfaceName);
            _gateways[interfaceName] = desired.Gateway;
            return Task.FromResult(new AddressReconcileResult(added, removed, !Equals(old, desired.Gateway)));
        }
    }

    private List<InterfaceAddress> List(string interfaceName)
    {
        if (!_addresses.TryGetValue(interfaceName, out var list))
            _addresses[interfaceName] = list = [];
        return list;
    }
}
