using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Daemon.Cluster.Transport;

/// <summary>
/// The key the peers prove knowledge of: PBKDF2-HMAC-SHA256 of the operator's cluster key.
/// The KDF is slow on purpose (a captured proof must not allow a fast offline guess of the key),
/// so derivations are cached per (key, salt) and a handshake never pays for one.
/// </summary>
public sealed class ClusterSecret
{
    public const string SaltPrefix = "appliance-cluster-v1";
    public const int Iterations = 200_000;
    public const int DerivedKeySize = 32;
    private const int CacheLimit = 16;

    private static readonly ConcurrentDictionary<string, Lazy<ClusterSecret>> Cache = new();

    private readonly byte[] _derivedKey;

    private ClusterSecret(byte[] derivedKey) => _derivedKey = derivedKey;

    internal ReadOnlySpan<byte> DerivedKey => _derivedKey;

    /// <summary>
    /// The salt: the fixed prefix, plus "/" and the cluster id when one is given. Binding the id
    /// means two clusters that happen to share a key still cannot talk; it also means a peer with
    /// no cluster id must use the salt without one until it adopts the id.
    /// </summary>
    public static byte[] Salt(string? clusterId = null) =>
        Encoding.UTF8.GetBytes(string.IsNullOrEmpty(clusterId) ? SaltPrefix : $"{SaltPrefix}/{clusterId}");

    public static ClusterSecret Derive(string clusterKey, string? clusterId = null)
    {
        ArgumentNullException.ThrowIfNull(clusterKey);
        return Derive(Encoding.UTF8.GetBytes(clusterKey), Salt(clusterId));
    }

    public static ClusterSecret Derive(ReadOnlySpan<byte> clusterKey, ReadOnlySpan<byte> salt)
    {
        if (clusterKey.IsEmpty)
            throw new ArgumentException("the cluster key is empty", nameof(clusterKey));
        if (salt.IsEmpty)
            throw new ArgumentException("the key derivation salt is empty", nameof(salt));

        // The cache is keyed by a hash so the raw key is not kept around as a string.
        var cacheKey = Convert.ToHexString(SHA256.HashData(clusterKey)) + ":" + Convert.ToHexString(salt);
        if (Cache.TryGetValue(cacheKey, out var cached))
            return cached.Value;

        var keyCopy = clusterKey.ToArray();
        var saltCopy = salt.ToArray();
        if (Cache.Count >= CacheLimit)
            Cache.Clear(); // keys change rarely; a full cache means churn, not a working set
        var lazy = Cache.GetOrAdd(cacheKey, _ => new Lazy<ClusterSecret>(() =>
        {
            var derived = Rfc2898DeriveBytes.Pbkdf2(keyCopy, saltCopy, Iterations, HashAlgorithmName.SHA256, DerivedKeySize);
            CryptographicOperations.ZeroMemory(keyCopy);
            return new ClusterSecret(derived);
        }));
        return lazy.Value;
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
