namespace Appliance.Daemon.Cluster.Transport;

/// <summary>The cluster protocol versions a Hello carries; peers with different versions do not exchange data.</summary>
public static class ProtocolVersions
{
    /// <summary>First release: key proof, Hello, heartbeats, op batches (4372), digest catch-up (4371).</summary>
    public const int V1 = 1;

    public const int Current = V1;
}
