using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Appliance.Daemon.Store;

/// <summary>
/// In-memory digests of every record, for anti-entropy (4371). Records are grouped in collections
/// (scope/section) and placed in buckets by a hash of their id; a bucket's digest is the XOR of its
/// records' version hashes and its count, so two peers find what differs by comparing a handful of
/// numbers per level and descend only where they differ. Level L splits on the top 6*L bits.
/// </summary>
public sealed partial class DigestIndex
{
    public const int FanOutBits = 6;
    public const int FanOut = 1 << FanOutBits;
    public const int MaxLevel = 10;

    private readonly Dictionary<string, Collection> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Head> _heads = new(StringComparer.Ordinal);

    public readonly record struct Digest(long Count, ulong Hash);

    /// <summary>
    /// The version a record holds now, a hash of its value and the position (in its origin's log) of
    /// the write that made it: writes check these in memory instead of reading the record back from
    /// LiteDB (a lookup costs about as much as the write itself).
    /// </summary>
    public readonly record struct Head(RecordVersion Version, int ValueHash, long Seq);

    public static int ValueHash(string? value) => value is null ? 0 : StringComparer.Ordinal.GetHashCode(value) | 1;

    public bool TryGetHead(string id, out Head head) => _heads.TryGetValue(id, out head);

    public static string CollectionOf(StoredRecord r) => $"{r.Scope}/{r.Section}";

    /// <summary>A record now holds what the write <paramref name="seq"/> of its version's origin wrote.</summary>
    public void Update(StoredRecord r, long seq)
    {
        var name = CollectionOf(r);
        if (!_collections.TryGetValue(name, out var c)) _collections[name] = c = new Collection();
        var id = r.Id;
        c.Set(id, Fnv(id), VersionHash(id, r));
        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(_heads, id, out var replaces);
        if (replaces) LogRemoved(head.Version.Origin);
        head = new Head(r.Version, ValueHash(r.Value), seq);
        LogAdded(r.Version.Origin, seq, id);
    }

    public IReadOnlyDictionary<string, Digest> Collections() =>
        _collections.Where(kv => kv.Value.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value.Total());

    /// <summary>The digests of the FanOut children of one bucket.</summary>
    public Digest[] Children(string collection, int level, ulong prefix)
    {
        var digests = new Digest[FanOut];
        if (!_collections.TryGetValue(collection, out var c)) return digests;
        var shift = 64 - FanOutBits * (level + 1);
        foreach (var e in c.Range(level, prefix))
        {
            var child = (int)((e.Bucket >> shift) & (FanOut - 1));
            var d = digests[child];
            digests[child] = new Digest(d.Count + 1, d.Hash ^ e.Version);
        }
        return digests;
    }

    /// <summary>The ids and version hashes of the records in one bucket.</summary>
    public IEnumerable<(string Id, ulong Version)> Entries(string collection, int level, ulong prefix) =>
        _collections.TryGetValue(collection, out var c) ? c.Range(level, prefix).Select(e => (e.Id, e.Version)) : [];

    public static ulong VersionHash(StoredRecord r) => VersionHash(r.Id, r);

    private static ulong VersionHash(string id, StoredRecord r)
    {
        // FNV over the UTF-8 of "id|hlc|origin|deleted", fed piece by piece instead of built as a string.
        Span<char> hlc = stackalloc char[20];
        r.Version.Hlc.TryFormat(hlc, out var digits, default, CultureInfo.InvariantCulture);
        var hash = FnvAdd(FnvOffset, id);
        hash = FnvAdd(FnvAdd(hash, "|"), hlc[..digits]);
        hash = FnvAdd(FnvAdd(hash, "|"), r.Version.Origin);
        hash = FnvAdd(FnvAdd(hash, "|"), r.Deleted ? "1" : "0");
        return Mix(hash);
    }

    private static ulong Fnv(string text) => Mix(FnvAdd(FnvOffset, text));

    private const ulong FnvOffset = 14695981039346656037UL;

    /// <summary>FNV-1a over the UTF-8 bytes of <paramref name="text"/>, encoded in small chunks on the stack.</summary>
    private static ulong FnvAdd(ulong hash, ReadOnlySpan<char> text)
    {
        Span<byte> utf8 = stackalloc byte[256];
        while (!text.IsEmpty)
        {
            var take = Math.Min(text.Length, 64); // at most 192 bytes; a chunk never splits a surrogate pair
            if (take < text.Length && char.IsHighSurrogate(text[take - 1])) take--;
            foreach (var b in utf8[..Encoding.UTF8.GetBytes(text[..take], utf8)])
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }
            text = text[take..];
        }
        return hash;
    }

    // FNV mixes the low bits well but the high bits poorly; buckets use the high bits.
    private static ulong Mix(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }

    private readonly record struct Entry(ulong Bucket, ulong Version, string Id);

    /// <summary>
    /// One collection's entries, kept in FanOut groups by their top bucket bits. A write re-sorts
    /// only its own group (and only when that group is next read), so a descent right after writes
    /// costs a 64th of sorting the whole collection, under the store's write lock.
    /// </summary>
    private sealed class Collection
    {
        private readonly Dictionary<string, (ulong Bucket, ulong Version)>[] _groups =
            Enumerable.Range(0, FanOut).Select(_ => new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal)).ToArray();
        private readonly Entry[]?[] _sorted = new Entry[]?[FanOut];
        private ulong _xor;

        public int Count { get; private set; }

        private static int GroupOf(ulong bucket) => (int)(bucket >> (64 - FanOutBits));

        public void Set(string id, ulong bucket, ulong version)
        {
            var g = GroupOf(bucket);
            if (_groups[g].TryGetValue(id, out var old)) _xor ^= old.Version;
            else Count++;
            _groups[g][id] = (bucket, version);
            _xor ^= version;
            _sorted[g] = null;
        }

        public void Remove(string id, ulong bucket)
        {
            var g = GroupOf(bucket);
            if (!_groups[g].Remove(id, out var old)) return;
            _xor ^= old.Version;
            Count--;
            _sorted[g] = null;
        }

        public Digest Total() => new(Count, _xor);

        public IEnumerable<Entry> Range(int level, ulong prefix)
        {
            if (level == 0) return Enumerable.Range(0, FanOut).SelectMany(Sorted);
            var group = Sorted((int)(prefix >> (FanOutBits * (level - 1))));
            var shift = 64 - FanOutBits * level;
            var low = prefix << shift;
            var high = shift == 0 ? low : low | ((1UL << shift) - 1);
            return Take(group, LowerBound(group, low), high);
        }

        private Entry[] Sorted(int g) => _sorted[g] ??=
            _groups[g].Select(kv => new Entry(kv.Value.Bucket, kv.Value.Version, kv.Key)).OrderBy(e => e.Bucket).ToArray();

        private static IEnumerable<Entry> Take(Entry[] sorted, int start, ulong high)
        {
            for (var i = start; i < sorted.Length && sorted[i].Bucket <= high; i++) yield return sorted[i];
        }

        private static int LowerBound(Entry[] sorted, ulong value)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (sorted[mid].Bucket < value) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }
}
