namespace Appliance.Daemon.Licensing;

/// <summary>One peer's licence as the cluster sees it (from its hello).</summary>
public sealed record PeerLicence(string Peer, LicenceEdition Edition, int PersonalMultiparty, int SharedMultiparty)
{
    public static PeerLicence From(string peer, LicenceState state) =>
        new(peer, state.Edition, state.PersonalMultiparty, state.SharedMultiparty);
}

/// <summary>Whether a set of peers may form a cluster under their licences, and the cluster's capacity.</summary>
public sealed record ClusterLicenceCheck(bool Allowed, string? Reason, int PersonalMultiparty, int SharedMultiparty);

/// <summary>
/// R14 across peers: every clustered peer needs a release key, all of the same edition; Select
/// clusters at most 2 peers (Full 3, R3); option keys are per peer and the cluster's capacity is their sum.
/// </summary>
public static class ClusterLicence
{
    public static ClusterLicenceCheck Check(IReadOnlyList<PeerLicence> peers)
    {
        var personal = peers.Sum(p => p.PersonalMultiparty);
        var shared = peers.Sum(p => p.SharedMultiparty);
        var reason = Refusal(peers);
        return new ClusterLicenceCheck(reason is null, reason, personal, shared);
    }

    private static string? Refusal(IReadOnlyList<PeerLicence> peers)
    {
        if (peers.Count <= 1)
            return null;
        if (peers.Count > LicenceState.MaxClusterPeers)
            return $"a cluster has at most {LicenceState.MaxClusterPeers} peers; {peers.Count} are configured";
        var unlicensed = peers.Where(p => p.Edition == LicenceEdition.Essentials).Select(p => p.Peer).ToList();
        if (unlicensed.Count > 0)
            return $"clustering not licensed on {string.Join(", ", unlicensed)} (Essentials: no valid release key)";
        var editions = peers.GroupBy(p => p.Edition).ToList();
        if (editions.Count > 1)
            return "edition mismatch: " + string.Join(", ", peers.Select(p => $"{p.Peer} is {p.Edition}"));
        if (peers[0].Edition == LicenceEdition.Select && peers.Count > LicenceState.MaxSelectPeers)
            return $"the Select edition clusters at most {LicenceState.MaxSelectPeers} peers; {peers.Count} are configured";
        return null;
    }
}
