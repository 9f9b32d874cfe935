using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Crypto;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// The key the peers prove knowledge of: Argon2id of the operator's cluster key, salted with a
/// fixed prefix and the cluster id. Binding the id means a table of guesses computed for one
/// cluster is useless against another, and two clusters that happen to share a key still fail the
/// proof. The KDF is slow and memory-hard on purpose (a proof captured by whoever a peer dials must
/// not allow a fast offline guess of the key), so derivations are cached per key, id and cost: a
/// peer pays one when its key or cluster id changes, never one per connection.
/// </summary>
public sealed class ClusterSecret
{
    public const string SaltPrefix = "appliance-cluster-v3";
    public const int DerivedKeySize = 32;

    /// <summary>The longest cluster id, in UTF-8 bytes, that the key proof announces.</summary>
    public const int MaxClusterIdBytes = 64;

    // Entries are 32 bytes; the limit only stops a stream of distinct ids from growing the cache.
    private const int CacheLimit = 64;

    private static readonly ConcurrentDictionary<string, Lazy<Task<ClusterSecret>>> Cache = new();

    private readonly byte[] _derivedKey;

    private ClusterSecret(byte[] derivedKey) => _derivedKey = derivedKey;

    internal ReadOnlySpan<byte> DerivedKey => _derivedKey;

    /// <summary>
    /// The salt: the prefix, plus "/" and the cluster id when there is one. Peers that have no id
    /// yet (R9: neither has formed) prove with the prefix alone; a peer with no id meeting one
    /// with an id proves with that id (see <see cref="KeyProof"/>).
    /// </summary>
    public static byte[] Salt(string? clusterId) =>
        Encoding.UTF8.GetBytes(clusterId is null ? SaltPrefix : $"{SaltPrefix}/{clusterId}");

    /// <summary>
    /// What names one derivation (key, id, cost) in the cache: the key only as a hash, so the raw
    /// key is not kept around as a string. A peer's store keeps it beside the secret it names.
    /// </summary>
    public static string CacheKey(string clusterKey, string? clusterId, Argon2Cost cost)
    {
        var key = Encoding.UTF8.GetBytes(clusterKey);
        try { return CacheKey(key, Salt(clusterId), cost); }
        finally { CryptographicOperations.ZeroMemory(key); }
    }

    private static string CacheKey(byte[] key, byte[] salt, Argon2Cost cost) =>
        $"{Convert.ToHexString(SHA256.HashData(key))}:{Convert.ToHexString(salt)}:{cost}";

    /// <summary>
    /// A secret this peer derived before (its store keeps it, as it keeps the key): handshakes after a
    /// restart use it instead of deriving again, so a restarted peer rejoins without the KDF's second.
    /// </summary>
    public static void Remember(string cacheKey, byte[] derivedKey)
    {
        if (derivedKey.Length != DerivedKeySize)
            throw new ArgumentException($"a derived key has {DerivedKeySize} bytes, not {derivedKey.Length}", nameof(derivedKey));
        Cache.TryAdd(cacheKey, new Lazy<Task<ClusterSecret>>(Task.FromResult(new ClusterSecret(derivedKey))));
    }

    /// <summary>The secret for a key and cluster id at the default cost; blocks while it is derived (tools and tests).</summary>
    public static ClusterSecret Derive(string clusterKey, string? clusterId = null) =>
        DeriveAsync(clusterKey, clusterId, Argon2Cost.Default).GetAwaiter().GetResult();

    /// <summary>
    /// The secret for a key and cluster id: cached, or derived on the thread pool (callers await it
    /// with their own timeout; the derivation finishes into the cache either way).
    /// </summary>
    public static Task<ClusterSecret> DeriveAsync(string clusterKey, string? clusterId, Argon2Cost cost)
    {
        ArgumentNullException.ThrowIfNull(clusterKey);
        if (clusterKey.Length == 0)
            throw new ArgumentException("the cluster key is empty", nameof(clusterKey));
        CheckClusterId(clusterId);

        var key = Encoding.UTF8.GetBytes(clusterKey);
        var salt = Salt(clusterId);
        var cacheKey = CacheKey(key, salt, cost);
        if (Cache.TryGetValue(cacheKey, out var cached))
        {
            CryptographicOperations.ZeroMemory(key);
            return cached.Value;
        }
        if (Cache.Count >= CacheLimit)
            Cache.Clear(); // keys and ids change rarely; a full cache means churn, not a working set
        return Cache.GetOrAdd(cacheKey, _ => new Lazy<Task<ClusterSecret>>(() => Task.Run(async () =>
        {
            try
            {
                return new ClusterSecret(await Argon2Kdf.DeriveAsync(key, salt, cost, DerivedKeySize).ConfigureAwait(false));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }))).Value;
    }

    /// <summary>Null (no id yet) or 1..<see cref="MaxClusterIdBytes"/> UTF-8 bytes.</summary>
    public static void CheckClusterId(string? clusterId)
    {
        if (clusterId is null)
            return;
        var bytes = Encoding.UTF8.GetByteCount(clusterId);
        if (bytes is 0 or > MaxClusterIdBytes)
            throw new ArgumentException($"a cluster id has 1..{MaxClusterIdBytes} UTF-8 bytes, this one {bytes}", nameof(clusterId));
    }

    /// <summary>
    /// A warning for the operator when the key is easy to guess, or null. The proof is as strong
    /// as the key: the KDF only slows guessing down.
    /// </summary>
    public static string? WeakKeyWarning(string clusterKey)
    {
        ArgumentNullException.ThrowIfNull(clusterKey);
        if (clusterKey.Length < 16)
            return $"the cluster key has {clusterKey.Length} characters; use at least 16 (a random passphrase)";
        if (clusterKey.Distinct().Count() < 6)
            return "the cluster key repeats too few distinct characters; use a random passphrase";
        return null;
    }
}
