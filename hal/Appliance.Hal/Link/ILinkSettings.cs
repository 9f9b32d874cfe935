namespace Appliance.Hal;

/// <summary>What an interface's link currently runs at.</summary>
/// <param name="Interface">The interface name.</param>
/// <param name="SpeedMbps">Speed in Mb/s, or null when unknown (link down, not reported).</param>
/// <param name="Duplex">The duplex.</param>
/// <param name="AutoNegotiation">Whether auto-negotiation is on.</param>
/// <param name="Source">Where the figures came from: "ethtool", "sysfs" or "simulated".</param>
public sealed record LinkStatus(string Interface, int? SpeedMbps, LinkDuplex Duplex, bool AutoNegotiation, string Source);

/// <summary>Thrown when link settings cannot be read or applied; names the interface, the request and the errno text.</summary>
public sealed class LinkSettingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="interfaceName">The interface concerned.</param>
    /// <param name="requested">The requested speed, or null for a read.</param>
    /// <param name="errno">The errno the kernel returned, or 0 when not from a system call.</param>
    /// <param name="message">The full message.</param>
    public LinkSettingsException(string interfaceName, LinkSpeed? requested, int errno, string message) : base(message)
    {
        InterfaceName = interfaceName;
        Requested = requested;
        Errno = errno;
    }

    /// <summary>The interface concerned.</summary>
    public string InterfaceName { get; }

    /// <summary>The requested speed, or null when reading failed.</summary>
    public LinkSpeed? Requested { get; }

    /// <summary>The errno from the kernel (e.g. 95 EOPNOTSUPP, 22 EINVAL), or 0.</summary>
    public int Errno { get; }

    /// <summary>True when the driver refused the setting (EOPNOTSUPP, EINVAL): the link is unchanged.</summary>
    public bool NotSupportedByDriver => Errno is EthtoolNative.EOPNOTSUPP or EthtoolNative.EINVAL;
}

/// <summary>Reads and sets Ethernet speed/duplex/auto-negotiation of a network interface.</summary>
public interface ILinkSettings
{
    /// <summary>Reads the current link status; throws <see cref="LinkSettingsException"/> when the interface cannot be read.</summary>
    Task<LinkStatus> ReadAsync(string interfaceName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a speed setting. Throws <see cref="LinkSettingsException"/> naming the interface, the
    /// requested speed and the errno text when the driver refuses (the link is then unchanged).
    /// </summary>
    Task ApplyAsync(string interfaceName, LinkSpeed speed, CancellationToken cancellationToken = default);
}
