using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// R7 at a join: the joiner's peer-specific configuration is kept (R9), so an address it brings
/// that a member already holds would enter the cluster twice. Both sides find the same conflict
/// from the two Hellos and hold the join until the operator fixes it (the dialer tries again).
/// </summary>
public static class JoinCheck
{
    /// <summary>The first (by address) of the joiner's own addresses that the cluster side holds, or null.</summary>
    public static (AddressClaim Brought, AddressClaim Held)? AddressConflict(HelloMessage local, HelloMessage remote)
    {
        if (local.ClusterId is not null && remote.ClusterId is not null) return null;
        // Neither has an id yet: one forms and the other joins; compare the two peers' own addresses.
        var (joiner, member) = remote.ClusterId is null && (local.ClusterId is not null || string.CompareOrdinal(remote.PeerId, local.PeerId) > 0)
            ? (remote, local)
            : (local, remote);
        var forming = member.ClusterId is null;
        var held = (member.Claims ?? [])
            .Where(c => c.PeerId != joiner.PeerId && (!forming || c.PeerId == member.PeerId))
            .ToLookup(c => c.Address, StringComparer.Ordinal);
        foreach (var brought in (joiner.Claims ?? []).Where(c => c.PeerId == joiner.PeerId).OrderBy(c => c.Address, StringComparer.Ordinal))
        {
            if (held[brought.Address].FirstOrDefault() is { } holder) return (brought, holder);
        }
        return null;
    }
}
