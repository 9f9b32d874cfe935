namespace Appliance.Daemon.Cluster;

/// <summary>Why two peers do not replicate (R2), as codes on the wire and texts for people.</summary>
public static class PeerReasons
{
    public const string KeyMismatch = "key-mismatch";
    public const string VersionMismatch = "version-mismatch";
    public const string ProtocolMismatch = "protocol-mismatch";
    public const string PeerListMismatch = "peer-list-mismatch";
    public const string OtherCluster = "other-cluster";
    public const string EditionMismatch = "edition-mismatch";
    public const string NotLicensed = "not-licensed";
    /// <summary>A joiner brings an address a member holds (R7): the join waits until one of them changes it.</summary>
    public const string AddressConflict = "address-conflict";
    /// <summary>This cluster forgot the peer (ClusterService.Forget.cs); it must leave and join again.</summary>
    public const string Forgotten = "forgotten";
    /// <summary>One side is adopting the other's cluster (R9); the link comes up right after.</summary>
    public const string Joining = "joining";

    public static string Text(string reason, string? detail) => reason switch
    {
        KeyMismatch => "Key mismatch",
        VersionMismatch => $"Software version mismatch (peer runs {detail})",
        ProtocolMismatch => $"Protocol version mismatch (peer speaks {detail})",
        PeerListMismatch => "Peer list mismatch",
        OtherCluster => "Belongs to another cluster",
        EditionMismatch => $"Edition mismatch (peer is {detail})",
        NotLicensed => "Clustering not licensed" + (detail is null ? "" : $" ({detail})"),
        Joining => "Not active yet (joining)",
        AddressConflict => $"Address conflict: {detail}",
        Forgotten => "Forgotten by the cluster (cluster leave on that peer, then join again)",
        _ => $"{reason} {detail}".Trim(),
    };
}
