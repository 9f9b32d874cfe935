namespace Appliance.Daemon.Store;

/// <summary>
/// The newest operations of each origin, kept in memory as they commit, so the live stream sends
/// them without reading them back from LiteDB. Per origin it covers one stretch of the log,
/// (From, Through]; a commit that does not continue the stretch starts a new one. Callers fall back
/// to the file for anything older.
/// </summary>
internal sealed class RecentOps(int capacityPerOrigin)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Stretch> _origins = new(StringComparer.Ordinal);

    private sealed class Stretch(long from)
    {
        public long From = from;
        public long Through = from;
        /// <summary>In sequence; the live ones start at Start (dropped ones are removed in bulk, now and then).</summary>
        public readonly List<Operation> Ops = [];
        public int Start;
        public int Count => Ops.Count - Start;

        /// <summary>Index of the first op after <paramref name="seq"/> (binary search: a reader asks often, under load).</summary>
        public int FirstAfter(long seq)
        {
            int lo = Start, hi = Ops.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (Ops[mid].Seq <= seq) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    /// <summary>Ops of one origin (in sequence) that cover its log from after through.</summary>
    public void Add(string origin, long after, long through, IEnumerable<Operation> ops)
    {
        lock (_lock)
        {
            if (!_origins.TryGetValue(origin, out var s) || s.Through != after) _origins[origin] = s = new Stretch(after);
            s.Ops.AddRange(ops);
            s.Through = through;
            if (s.Count > capacityPerOrigin)
            {
                s.Start = s.Ops.Count - capacityPerOrigin;
                s.From = s.Ops[s.Start - 1].Seq;
            }
            if (s.Start > capacityPerOrigin)
            {
                s.Ops.RemoveRange(0, s.Start);
                s.Start = 0;
            }
        }
    }

    /// <summary>Forgets an origin: its log moved without these ops (recovery, a reset).</summary>
    public void Forget(string origin)
    {
        lock (_lock) _origins.Remove(origin);
    }

    public void Clear()
    {
        lock (_lock) _origins.Clear();
    }

    /// <summary>
    /// The slice (afterSeq, upTo] when memory covers it; null otherwise. Memory may already hold
    /// commits beyond <paramref name="upTo"/> (the caller read it a moment ago): those stay out.
    /// </summary>
    public OpSlice? TryRead(string origin, long afterSeq, long upTo, int max)
    {
        lock (_lock)
        {
            if (!_origins.TryGetValue(origin, out var s) || s.From > afterSeq || s.Through < upTo) return null;
            if (max <= 0) return new OpSlice([], afterSeq);
            var first = s.FirstAfter(afterSeq);
            var end = s.FirstAfter(upTo);
            var count = Math.Min(max, end - first);
            var ops = s.Ops.GetRange(first, count);
            return new OpSlice(ops, first + count < end ? ops[^1].Seq : upTo);
        }
    }
}
