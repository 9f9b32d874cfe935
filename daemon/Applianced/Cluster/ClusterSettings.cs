using System.Text.Json;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// The cluster settings of this peer (R1). All three are local: each peer is configured on its own
/// (the guide's procedure), and the key never leaves the box.
/// </summary>
public sealed record ClusterSettings(string? Key, IReadOnlyList<string> Peers, string? ClusterId)
{
    public const string KeyName = "cluster-key";
    public const string PeersName = "cluster-peers";
    public const string ClusterIdName = "cluster-id";

    /// <summary>The secret derived from the key and id (its cache name, a space, the secret in base64): it goes wherever the key goes.</summary>
    public const string SecretName = "cluster-secret";

    /// <summary>The hybrid-clock time this peer formed or joined its cluster (Hello's joinedAt).</summary>
    public const string JoinedAtName = "cluster-joined-at";

    public bool Clustered => Key is not null && Peers.Count > 0;

    public IReadOnlyList<string> SortedPeers => Peers.Order(StringComparer.Ordinal).ToList();

    public static ClusterSettings Load(Store.Store store) => new(
        store.GetLocal(KeyName),
        JsonSerializer.Deserialize<string[]>(store.GetLocal(PeersName) ?? "[]") ?? [],
        store.GetLocal(ClusterIdName));

    public static void SavePeers(Store.Store store, IReadOnlyList<string> peers) =>
        store.SetLocal(PeersName, peers.Count == 0 ? null : JsonSerializer.Serialize(peers));
}
