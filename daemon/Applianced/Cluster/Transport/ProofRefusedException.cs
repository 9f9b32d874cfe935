namespace Appliance.Daemon.Cluster.Transport;

/// <summary>Why a key proof stopped before either side sent a proof.</summary>
public enum ProofRefusal
{
    /// <summary>Both peers have a cluster id and the ids differ (R2 "belongs to another cluster").</summary>
    OtherCluster,

    /// <summary>The peers speak different key proof versions.</summary>
    ProtocolVersion,

    /// <summary>The accepting peer has no cluster id yet and does not list the dialer's address (ProofRefused 1).</summary>
    NotListed,

    /// <summary>
    /// The dialer had yet to derive the secret for the agreed cluster id, typically the one it is
    /// joining (ProofRefused 2): it derives it and dials again instead of keeping the acceptor waiting.
    /// </summary>
    SecretNotReady,
}

/// <summary>
/// The key proof stopped before any proof was sent: the announcements (protocol version, cluster
/// id) show that the two peers cannot replicate, or the dialer must derive its secret first.
/// Nothing derived from the key crossed.
/// </summary>
public sealed class ProofRefusedException(ProofRefusal refusal, string? detail, Task? secretReady = null)
    : Exception(Describe(refusal, detail))
{
    public ProofRefusal Refusal { get; } = refusal;

    /// <summary>The peer's cluster id or protocol version, for the R2 status text.</summary>
    public string? Detail { get; } = detail;

    /// <summary>On the dialing side of <see cref="ProofRefusal.SecretNotReady"/>: completes when the secret is derived.</summary>
    public Task? SecretReady { get; } = secretReady;

    private static string Describe(ProofRefusal refusal, string? detail) => refusal switch
    {
        ProofRefusal.OtherCluster => $"the peer belongs to another cluster ({detail}); no key proof was exchanged",
        ProofRefusal.ProtocolVersion => $"the peer speaks cluster protocol {detail}, this peer {ProtocolVersions.Current}; no key proof was exchanged",
        ProofRefusal.NotListed => "the accepting peer has no cluster id yet and does not list the dialing peer's address; no key proof was exchanged",
        _ => $"the dialing peer is deriving the secret for cluster {detail ?? "(none yet)"} and will dial again; no key proof was exchanged",
    };
}
