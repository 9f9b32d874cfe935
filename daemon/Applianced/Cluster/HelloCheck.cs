using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Compares our Hello with a peer's. Both sides run the same checks, so both show the same reason.
/// Returns null when the two may replicate.
/// </summary>
public static class HelloCheck
{
    /// <summary>
    /// <paramref name="localAddress"/> and <paramref name="remoteAddress"/> are the two ends' cluster
    /// addresses when known: two members whose lists differ only by a third peer being added or
    /// removed (see <see cref="ListInTransition"/>) replicate meanwhile.
    /// </summary>
    public static (string Reason, string? Detail)? Compare(HelloMessage local, HelloMessage remote,
        string? localAddress = null, string? remoteAddress = null)
    {
        if (remote.ProtocolVersion != local.ProtocolVersion) return (PeerReasons.ProtocolMismatch, remote.ProtocolVersion.ToString());
        if (remote.SoftwareVersion != local.SoftwareVersion) return (PeerReasons.VersionMismatch, remote.SoftwareVersion);
        if (remote.LicenceState != Licensed) return (PeerReasons.NotLicensed, $"peer: {remote.LicenceState}");
        if (local.LicenceState != Licensed) return (PeerReasons.NotLicensed, $"this system: {local.LicenceState}");
        if (remote.Edition != local.Edition) return (PeerReasons.EditionMismatch, remote.Edition);
        if (local.ClusterId is not null && remote.ClusterId is not null && local.ClusterId != remote.ClusterId)
            return (PeerReasons.OtherCluster, remote.ClusterId);
        if (!local.Addresses.SequenceEqual(remote.Addresses, StringComparer.Ordinal)
            && ListInTransition(local, remote, localAddress, remoteAddress) is null)
            return (PeerReasons.PeerListMismatch, string.Join(" ", remote.Addresses));
        return null;
    }

    /// <summary>
    /// The guide adds (and removes) a peer one member at a time, so for a while two members' lists
    /// differ by that one peer. When both are members of the same cluster, each lists the other, and
    /// the lists differ by exactly one address that is neither of theirs, this says how (for the
    /// status and the alarm); otherwise null. A joiner still needs the very same list (R1).
    /// </summary>
    public static string? ListInTransition(HelloMessage local, HelloMessage remote, string? localAddress, string? remoteAddress)
    {
        if (localAddress is null || remoteAddress is null || local.ClusterId is null || local.ClusterId != remote.ClusterId) return null;
        var ours = local.Addresses.ToHashSet(StringComparer.Ordinal);
        var theirs = remote.Addresses.ToHashSet(StringComparer.Ordinal);
        if (!ours.Contains(localAddress) || !ours.Contains(remoteAddress) || !theirs.Contains(localAddress) || !theirs.Contains(remoteAddress))
            return null;
        var onlyOurs = ours.Except(theirs).ToList();
        var onlyTheirs = theirs.Except(ours).ToList();
        return (onlyOurs, onlyTheirs) switch
        {
            ([var a], []) => $"only this peer lists {a}",
            ([], [var a]) => $"only the peer lists {a}",
            _ => null,
        };
    }

    /// <summary>The licence state that allows clustering.</summary>
    public const string Licensed = "licensed";
}
