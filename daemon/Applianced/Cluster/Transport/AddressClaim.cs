namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// An address a peer holds (R7: management, additional, a location's ad hoc or rendezvous), as a
/// Hello carries it for every peer the sender knows, so a join is checked before any data moves.
/// <paramref name="Listed"/> is the owner's cluster address when known (to number it "peer N"),
/// <paramref name="What"/> says which of its addresses this is, for people.
/// </summary>
public sealed record AddressClaim(string PeerId, string Host, string? Listed, string Address, string What)
{
    /// <summary>More than three peers' worth of addresses is not a Hello.</summary>
    public const int MaxPerHello = 1000;

    internal void Check()
    {
        if (PeerId is null || Host is null || Address is null || What is null)
            throw new System.Net.ProtocolViolationException("hello: an address claim lacks peerId, host, address or what");
        if (!System.Net.IPAddress.TryParse(Address, out _) || (Listed is not null && !System.Net.IPAddress.TryParse(Listed, out _)))
            throw new System.Net.ProtocolViolationException($"hello: address claim '{Address}' (listed '{Listed}') is not an IP address");
    }
}
