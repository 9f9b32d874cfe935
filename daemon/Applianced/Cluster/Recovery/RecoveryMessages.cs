using System.Text.Json.Serialization;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Cluster.Recovery;

/// <summary>Collection null asks for every collection's digest; otherwise the children of the given buckets.</summary>
public sealed record DigestRequest(string? Collection, int Level, IReadOnlyList<ulong> Prefixes);

public sealed record CollectionDigest(string Name, long Count, ulong Hash);

/// <summary>
/// The server's version vector is read before its digests, so the records are at least that new. PurgeHorizon and
/// PurgedThrough are what the server remembers of the tombstones it purged (V4; Store.Purge.cs): a record the client
/// holds that the server does not, covered by this vector and not newer than the horizon, was deleted and purged.
/// </summary>
public sealed record CollectionsReply(IReadOnlyDictionary<string, long> VersionVector, IReadOnlyList<CollectionDigest> Collections,
    long PurgeHorizon = 0, IReadOnlyDictionary<string, long>? PurgedThrough = null);

/// <summary>For each requested prefix, FanOut counts and hashes (flat arrays keep the payload small).</summary>
public sealed record BucketsReply(IReadOnlyList<long> Counts, IReadOnlyList<ulong> Hashes);

/// <summary>The client's version hashes in the given buckets; the server sends back every record it holds differently.</summary>
public sealed record RecordsRequest(string Collection, int Level, IReadOnlyList<ulong> Prefixes, IReadOnlyList<ulong> Have);

/// <summary>
/// Records travel as the operations that wrote them, so the receiver can stream them on in its own
/// log. Absent (V4, in the last reply only) lists the client's version hashes of the request that the
/// server holds no record for: where no record of the same id came back either, the server holds none.
/// Encoded by <see cref="OpCodec"/>.
/// </summary>
public sealed record RecordsReply(IReadOnlyList<Operation> Records, bool More, IReadOnlyList<ulong>? Absent = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DigestRequest))]
[JsonSerializable(typeof(CollectionsReply))]
[JsonSerializable(typeof(BucketsReply))]
[JsonSerializable(typeof(RecordsRequest))]
internal sealed partial class RecoveryJson : JsonSerializerContext;
