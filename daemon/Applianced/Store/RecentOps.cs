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
        public readonly Queue<Operation> Ops = new();
    }

    /// <summary>Ops of one origin (in sequence) that cover its log from after through.</summary>
    public void Add(string origin, long after, long through, IEnumerable<Operation> ops)
    {
        lock (_lock)
        {
            if (!_origins.TryGetValue(origin, out var s) || s.Through != after) _origins[origin] = s = new Stretch(after);
            foreach (var op in ops) s.Ops.Enqueue(op);
            s.Through = through;
            while (s.Ops.Count > capacityPerOrigin) s.From = s.Ops.Dequeue().Seq;
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

    /// <summary>The slice after <paramref name="afterSeq"/> when memory covers it up to <paramref name="upTo"/>; null otherwise.</summary>
    public OpSlice? TryRead(string origin, long afterSeq, long upTo, int max)
    {
        lock (_lock)
        {
            if (!_origins.TryGetValue(origin, out var s) || s.From > afterSeq || s.Through != upTo) return null;
            var ops = new List<Operation>(Math.Min(max, s.Ops.Count));
            foreach (var op in s.Ops)
            {
                if (op.Seq <= afterSeq) continue;
                ops.Add(op);
                if (ops.Count == max) return new OpSlice(ops, op.Seq);
            }
            return new OpSlice(ops, s.Through);
        }
    }
}
