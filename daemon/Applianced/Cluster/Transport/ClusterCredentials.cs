using System.Net;
using Appliance.Daemon.Crypto;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// What this peer runs the key proof with: the operator's cluster key and, once it formed or
/// joined a cluster, the cluster id (null before). The transport asks for them on every
/// connection, so a changed key or a new id applies from the next handshake.
/// </summary>
public sealed class ClusterCredentials(string key, string? clusterId)
{
    public string Key { get; } = key ?? throw new ArgumentNullException(nameof(key));

    public string? ClusterId { get; } = clusterId;

    /// <summary>
    /// While this peer has no cluster id, which dialers' announced id it derives a secret for when
    /// accepting (its listed peers); null: anyone's. A derivation costs about a second of CPU and
    /// 64 MiB, so a stranger must not get one per connection by announcing made-up ids.
    /// </summary>
    public Func<IPAddress, bool>? AdoptsIdFrom { get; init; }

    /// <summary>
    /// The secret for the cluster id the two sides agreed on (ours, the peer's, or none). Every
    /// peer derives at the one default cost; tests need no cheaper one, since the cache is
    /// process-wide and they use a handful of keys and ids.
    /// </summary>
    public Task<ClusterSecret> SecretAsync(string? agreedClusterId) => ClusterSecret.DeriveAsync(Key, agreedClusterId, Argon2Cost.Default);

    /// <summary>Never the key: these end up in log lines and test output.</summary>
    public override string ToString() => $"cluster credentials (cluster id {ClusterId ?? "none"})";
}
