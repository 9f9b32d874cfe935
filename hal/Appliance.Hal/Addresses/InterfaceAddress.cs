using System.Net;
using System.Net.Sockets;

namespace Appliance.Hal;

/// <summary>An IPv4 address on an interface with its prefix length, written "198.18.0.1/24".</summary>
/// <param name="Address">The IPv4 address.</param>
/// <param name="PrefixLength">The prefix length, 0..32.</param>
public sealed record InterfaceAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>Parses "a.b.c.d/len"; throws <see cref="FormatException"/> naming the bad value.</summary>
    public static InterfaceAddress Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash < 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || text.AsSpan(0, slash).Count('.') != 3
            || !int.TryParse(text.AsSpan(slash + 1), out var prefix)
            || prefix is < 0 or > 32)
            throw new FormatException($"'{text}' is not an IPv4 address with prefix length like 198.18.0.1/24");
        return new InterfaceAddress(address, prefix);
    }

    /// <summary>Creates from an address and a dotted netmask such as 255.255.255.0; throws when the mask is not contiguous.</summary>
    public static InterfaceAddress FromMask(IPAddress address, IPAddress mask)
    {
        var m = BitConverter.ToUInt32(mask.GetAddressBytes().Reverse().ToArray());
        var len = System.Numerics.BitOperations.PopCount(m);
        if (mask.AddressFamily != AddressFamily.InterNetwork || (len > 0 && m != uint.MaxValue << (32 - len)))
            throw new FormatException($"netmask '{mask}' is not a contiguous IPv4 mask like 255.255.255.0");
        return new InterfaceAddress(address, len);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>The IPv4 configuration wanted on a LAN interface.</summary>
/// <param name="Primary">The primary address, or null to leave the primary alone.</param>
/// <param name="Gateway">The default gateway, or null for none (a gateway we set earlier is then removed).</param>
/// <param name="Additional">Additional addresses.</param>
public sealed record AddressPlan(InterfaceAddress? Primary, IPAddress? Gateway, IReadOnlyList<InterfaceAddress> Additional)
{
    /// <summary>The primary first, then the additional addresses, without repeats.</summary>
    public IReadOnlyList<InterfaceAddress> AllAddresses =>
        (Primary is null ? Additional : [Primary, .. Additional]).Distinct().ToArray();
}

/// <summary>What a reconcile changed.</summary>
/// <param name="Added">Addresses added.</param>
/// <param name="Removed">Addresses removed (only ever ones this manager had added).</param>
/// <param name="GatewayChanged">True when the default route was replaced or removed.</param>
public sealed record AddressReconcileResult(
    IReadOnlyList<InterfaceAddress> Added, IReadOnlyList<InterfaceAddress> Removed, bool GatewayChanged)
{
    /// <summary>True when nothing had to change.</summary>
    public bool Unchanged => Added.Count == 0 && Removed.Count == 0 && !GatewayChanged;
}

/// <summary>Manages IPv4 addresses and the default gateway of an interface, touching only what it added itself.</summary>
public interface IAddressManager
{
    /// <summary>All IPv4 addresses currently on the interface, whoever added them.</summary>
    Task<IReadOnlyList<InterfaceAddress>> ReadAsync(string interfaceName, CancellationToken cancellationToken = default);

    /// <summary>The current default gateway via this interface, or null.</summary>
    Task<IPAddress?> ReadGatewayAsync(string interfaceName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reconciles the interface with <paramref name="desired"/>: adds missing addresses, removes
    /// addresses this manager added earlier that are no longer desired, never touches others.
    /// </summary>
    Task<AddressReconcileResult> ApplyAsync(string interfaceName, AddressPlan desired, CancellationToken cancellationToken = default);
}
