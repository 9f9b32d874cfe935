using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// Compares our Hello with a peer's. Both sides run the same checks, so both show the same reason.
/// Returns null when the two may replicate.
/// </summary>
public static class HelloCheck
{
    public static (string Reason, string? Detail)? Compare(HelloMessage local, HelloMessage remote)
    {
        if (remote.ProtocolVersion != local.ProtocolVersion) return (PeerReasons.ProtocolMismatch, remote.ProtocolVersion.ToString());
        if (remote.SoftwareVersion != local.SoftwareVersion) return (PeerReasons.VersionMismatch, remote.SoftwareVersion);
        if (remote.LicenceState != Licensed) return (PeerReasons.NotLicensed, $"peer: {remote.LicenceState}");
        if (local.LicenceState != Licensed) return (PeerReasons.NotLicensed, $"this system: {local.LicenceState}");
        if (remote.Edition != local.Edition) return (PeerReasons.EditionMismatch, remote.Edition);
        if (local.ClusterId is not null && remote.ClusterId is not null && local.ClusterId != remote.ClusterId)
            return (PeerReasons.OtherCluster, remote.ClusterId);
        if (!local.Addresses.SequenceEqual(remote.Addresses, StringComparer.Ordinal))
            return (PeerReasons.PeerListMismatch, string.Join(" ", remote.Addresses));
        return null;
    }

    /// <summary>The licence state that allows clustering.</summary>
    public const string Licensed = "licensed";
}
