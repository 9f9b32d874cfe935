using LiteDB;

namespace Appliance.Daemon.Store;

/// <summary>
/// The operation log and the version vector: "everything from origin X after sequence N". The log
/// is the records themselves: each holds the position of the write that made it, so an origin's log
/// is every record whose current version it wrote, in sequence. A write that was overwritten since
/// leaves a hole, which is fine: whatever overwrote it is newer and travels in its own origin's log.
/// The log therefore never holds more entries than there are records, and never needs trimming.
/// </summary>
public sealed partial class Store
{
    private const string VersionPrefix = "vv:";
    private readonly RecentOps _recent = new(capacityPerOrigin: 8192);

    /// <summary>Highest sequence per origin up to which this peer holds every write or a newer one.</summary>
    public IReadOnlyDictionary<string, long> VersionVector()
    {
        lock (_write) return new Dictionary<string, long>(_versionVector);
    }

    /// <summary>
    /// The surviving operations of <paramref name="origin"/> after <paramref name="afterSeq"/>, at most
    /// <paramref name="max"/>, in sequence. Through is how far they cover the origin's log: a reader
    /// that applies them holds everything of that origin up to Through.
    /// </summary>
    public OpSlice ReadOps(string origin, long afterSeq, int max)
    {
        long upTo;
        lock (_write) upTo = _versionVector.GetValueOrDefault(origin);
        if (upTo <= afterSeq) return new OpSlice([], afterSeq);
        if (_recent.TryRead(origin, afterSeq, upTo, max) is { } recent) return recent;
        List<string> ids;
        long through;
        lock (_write) (ids, through) = Digests().LogAfter(origin, afterSeq, upTo, max);
        // A record overwritten since by a newer write is left out: that write travels in its own place in the log.
        var ops = GetOps(ids).Where(o => o.Origin == origin && o.Seq > afterSeq && o.Seq <= through).OrderBy(o => o.Seq).ToList();
        return new OpSlice(ops, through);
    }

    private Dictionary<string, long> LoadVersionVector() =>
        _meta.Find(Query.StartsWith("_id", VersionPrefix))
            .ToDictionary(d => d["_id"].AsString[VersionPrefix.Length..], d => d["s"].AsInt64);

    private const string OriginPrefix = "on:";
    private Dictionary<string, long>? _originNumbers;

    /// <summary>Origins numbered in this file (1, 2, ...) for the log index; loaded on first use and after a rollback.</summary>
    private Dictionary<string, long> OriginNumbers() => _originNumbers ??=
        _meta.Find(Query.StartsWith("_id", OriginPrefix))
            .ToDictionary(d => d["_id"].AsString[OriginPrefix.Length..], d => d["n"].AsInt64, StringComparer.Ordinal);

    /// <summary>The origin's number, given (and saved in the caller's transaction) on first sight.</summary>
    private long OriginNumber(string origin)
    {
        var numbers = OriginNumbers();
        if (numbers.TryGetValue(origin, out var n)) return n;
        n = numbers.Count == 0 ? 1 : numbers.Values.Max() + 1;
        PutMeta(new BsonDocument { ["_id"] = OriginPrefix + origin, ["n"] = n });
        numbers[origin] = n;
        _frame?.NewOrigins.Add(origin);
        return n;
    }

    /// <summary>Undoes a failed transaction, and forgets what memory may hold of it.</summary>
    private void Rollback()
    {
        _db.Rollback();
        _digests = null;
        _originNumbers = null;
        _clockSaved = long.MinValue;
    }

    private const string ClockId = "clock";

    /// <summary>
    /// The saved clock runs this far (one second of clock time) ahead of the last value handed out
    /// or observed, so a commit writes it only once the clock has passed what the file holds: about
    /// once a second under steady writes instead of a second LiteDB update in every commit (issue 19).
    /// After a restart the clock starts at most this far ahead of where it was, never behind.
    /// </summary>
    private const long ClockMargin = 1000L << 16;

    /// <summary>The clock bound the file holds, as far as this process knows (forgotten by a rollback).</summary>
    private long _clockSaved = long.MinValue;

    /// <summary>Saves a version vector entry, and the clock's bound with it when it moved past, in the caller's transaction.</summary>
    private void SaveVersion(string origin, long seq)
    {
        PutMeta(new BsonDocument { ["_id"] = VersionPrefix + origin, ["s"] = seq });
        var last = Clock.Last;
        if (last <= _clockSaved) return;
        PutMeta(new BsonDocument { ["_id"] = ClockId, ["h"] = last + ClockMargin });
        _clockSaved = last + ClockMargin;
    }
}

/// <summary>Operations of one origin, and the sequence up to which they cover its log.</summary>
public sealed record OpSlice(IReadOnlyList<Operation> Ops, long Through)
{
    public int Count => Ops.Count;
}

/// <summary>A sender's claim in a batch: its operations of Origin cover the log from After (exclusive) to Through.</summary>
public sealed record OpRange(string Origin, long After, long Through);
