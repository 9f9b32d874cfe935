namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// The cluster protocol versions a Hello (and, from V3, the key proof's first frame) carries; peers with
/// different versions do not exchange data.
/// </summary>
public static class ProtocolVersions
{
    /// <summary>First release: key proof, Hello, heartbeats, op batches (4372), digest catch-up (4371).</summary>
    public const int V1 = 1;

    /// <summary>
    /// The log is the records: an op batch says per origin which part of the log it covers (after,
    /// through), since overwritten writes leave holes; recovery sends records with their log position.
    /// </summary>
    public const int V2 = 2;

    /// <summary>
    /// Key proof: each side first announces its version and cluster id (the secret is Argon2id of the key
    /// and that id), and the accepting side proves only after the dialer's proof verified.
    /// </summary>
    public const int V3 = 3;

    /// <summary>
    /// Tombstones are purged: recovery's collections reply carries the server's purge horizon and purged
    /// log positions, and its records reply the client's versions the server holds no record for, so a
    /// peer drops its stale copies of purged records instead of pushing them back. A V3 peer would
    /// resurrect them, so the versions do not mix.
    /// Also in V4 (the same release): Hello carries the addresses every known peer holds (claims), so a
    /// join whose joiner brings an address a member holds is held with "Address conflict" on both sides; members whose peer lists
    /// differ only by one third peer (being added or removed) replicate meanwhile. Hello's optional
    /// joinedAt (the hybrid-clock time the sender formed or joined its cluster) lets a member tell a
    /// forgotten peer that came back from one that joined again since (older decoders ignore it).
    /// Later in V4: a heartbeat's optional noAck asks for no answer (older senders never set it, older
    /// receivers ignore it and answer every beat, so the versions still mix).
    /// </summary>
    public const int V4 = 4;

    public const int Current = V4;
}
