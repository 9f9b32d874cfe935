namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// The key proof failed: the peers hold different cluster keys (or salts), or something
/// terminates TLS between them. Both sides of a failed proof get this exception.
/// </summary>
public sealed class KeyMismatchException : Exception
{
    public KeyMismatchException(bool rejectedByPeer)
        : base(rejectedByPeer
            ? "Key mismatch: the peer rejected our key proof (different cluster key, or a relay between the peers)"
            : "Key mismatch: the peer's key proof did not verify (different cluster key, or a relay between the peers)")
    {
        RejectedByPeer = rejectedByPeer;
    }

    /// <summary>True when the peer sent ProofRejected; false when our own check failed.</summary>
    public bool RejectedByPeer { get; }
}
