namespace Appliance.Daemon.Cluster.Transport;

/// <summary>Why a key proof stopped before either side sent a proof.</summary>
public enum ProofRefusal
{
    /// <summary>Both peers have a cluster id and the ids differ (R2 "belongs to another cluster").</summary>
    OtherCluster,

    /// <summary>The peers speak different key proof versions.</summary>
    ProtocolVersion,

    /// <summary>The accepting peer has no cluster id yet and does not list the dialer's address.</summary>
    NotListed,
}

/// <summary>
/// The key proof stopped before any proof was sent: the announcements (protocol version, cluster
/// id) alone show that the two peers cannot replicate. Nothing derived from the key crossed.
/// </summary>
public sealed class ProofRefusedException(ProofRefusal refusal, string? detail) : Exception(Describe(refusal, detail))
{
    public ProofRefusal Refusal { get; } = refusal;

    /// <summary>The peer's cluster id or protocol version, for the R2 status text.</summary>
    public string? Detail { get; } = detail;

    private static string Describe(ProofRefusal refusal, string? detail) => refusal switch
    {
        ProofRefusal.OtherCluster => $"the peer belongs to another cluster ({detail}); no key proof was exchanged",
        ProofRefusal.ProtocolVersion => $"the peer speaks cluster protocol {detail}, this peer {ProtocolVersions.Current}; no key proof was exchanged",
        _ => "the accepting peer has no cluster id yet and does not list the dialing peer's address; no key proof was exchanged",
    };
}
