using System.Net;

namespace Appliance.Hal;

/// <summary>
/// IPv4 addresses through the <c>ip</c> tool with JSON output. Why not rtnetlink directly: the
/// handful of operations (list, add, del, route replace) run rarely, <c>ip -j</c> gives a stable
/// documented JSON shape, <c>ip -n NS</c> gives namespace support for free, and its error text is
/// what an operator would see by hand; a netlink codec would be several hundred lines to maintain.
/// </summary>
public sealed class LinuxAddressManager : IAddressManager
{
    private readonly string? _networkNamespace;
    private readonly AddressOwnership _ownership;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Creates the manager.</summary>
    /// <param name="ownershipStatePath">The JSON file recording which addresses this appliance added (kept across restarts).</param>
    /// <param name="networkNamespace">A namespace name (<c>ip netns add</c>) to work in, or null for the machine's own.</param>
    public LinuxAddressManager(string ownershipStatePath, string? networkNamespace = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ownershipStatePath);
        NetworkNamespace.Validate(networkNamespace);
        _ownership = new AddressOwnership(ownershipStatePath);
        _networkNamespace = networkNamespace;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<InterfaceAddress>> ReadAsync(string interfaceName, CancellationToken cancellationToken = default) =>
        IpReads.AddressesAsync(_networkNamespace, interfaceName, cancellationToken);

    /// <inheritdoc />
    public Task<IPAddress?> ReadGatewayAsync(string interfaceName, CancellationToken cancellationToken = default) =>
        IpReads.GatewayAsync(_networkNamespace, interfaceName, cancellationToken);

    /// <inheritdoc />
    public async Task<AddressReconcileResult> ApplyAsync(string interfaceName, AddressPlan desired, CancellationToken cancellationToken = default)
    {
        LinuxLinkSettings.ValidateName(interfaceName);
        ArgumentNullException.ThrowIfNull(desired);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReconcileAsync(interfaceName, desired, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AddressReconcileResult> ReconcileAsync(string ifName, AddressPlan desired, CancellationToken ct)
    {
        var want = desired.AllAddresses;
        var wantKeys = want.Select(a => a.ToString()).ToHashSet();
        var state = await _ownership.LoadAsync(ct).ConfigureAwait(false);
        var actual = await ReadAsync(ifName, ct).ConfigureAwait(false);
        var entry = state.GetValueOrDefault(ifName) ?? new AddressOwnership.Entry([], null);
        state[ifName] = entry;

        // Record intent before adding: a crash between add and save then leaves an address we
        // still know we own, instead of one nobody will ever remove.
        var toAdd = want.Where(a => !actual.Contains(a)).ToList();
        foreach (var a in toAdd)
            entry.Addresses.Add(a.ToString());
        await _ownership.SaveAsync(state, ct).ConfigureAwait(false);

        var removed = new List<InterfaceAddress>();
        foreach (var a in actual.Where(a => entry.Addresses.Contains(a.ToString()) && !wantKeys.Contains(a.ToString())))
        {
            await Ip(ct, "addr", "del", a.ToString(), "dev", ifName).ConfigureAwait(false);
            removed.Add(a);
        }

        // Removing a subnet's primary address also removes its secondaries unless
        // promote_secondaries is set, so re-read before adding.
        var added = new List<InterfaceAddress>();
        var now = removed.Count > 0 ? await ReadAsync(ifName, ct).ConfigureAwait(false) : actual;
        foreach (var a in want.Where(a => !now.Contains(a)))
        {
            await Ip(ct, "addr", "add", a.ToString(), "dev", ifName).ConfigureAwait(false);
            added.Add(a);
        }

        entry.Addresses.IntersectWith(wantKeys);
        var gatewayChanged = await ReconcileGatewayAsync(ifName, desired.Gateway, state, ct).ConfigureAwait(false);
        await _ownership.SaveAsync(state, ct).ConfigureAwait(false);
        return new AddressReconcileResult(added, removed, gatewayChanged);
    }

    private async Task<bool> ReconcileGatewayAsync(
        string ifName, IPAddress? gateway, Dictionary<string, AddressOwnership.Entry> state, CancellationToken ct)
    {
        var current = await ReadGatewayAsync(ifName, ct).ConfigureAwait(false);
        var entry = state[ifName];
        if (gateway is not null)
        {
            state[ifName] = entry with { Gateway = gateway.ToString() };
            if (gateway.Equals(current))
                return false;
            await Ip(ct, "route", "replace", "default", "via", gateway.ToString(), "dev", ifName).ConfigureAwait(false);
            return true;
        }
        // Only a default route we set ourselves is ever removed.
        if (entry.Gateway is null)
            return false;
        state[ifName] = entry with { Gateway = null };
        if (current is null || current.ToString() != entry.Gateway)
            return false;
        await Ip(ct, "route", "del", "default", "via", entry.Gateway, "dev", ifName).ConfigureAwait(false);
        return true;
    }

    private Task<string> Ip(CancellationToken ct, params string[] args) => IpReads.Ip(_networkNamespace, ct, args);
}
