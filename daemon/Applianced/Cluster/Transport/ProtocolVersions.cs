namespace Appliance.Daemon.Cluster.Transport;

/// <summary>The cluster protocol versions a Hello carries; peers with different versions do not exchange data.</summary>
public static class ProtocolVersions
{
    /// <summary>First release: key proof, Hello, heartbeats, op batches (4372), digest catch-up (4371).</summary>
    public const int V1 = 1;

    /// <summary>
    /// The log is the records: an op batch says per origin which part of the log it covers (after,
    /// through), since overwritten writes leave holes; recovery sends records with their log position.
    /// </summary>
    public const int V2 = 2;

    public const int Current = V2;
}
