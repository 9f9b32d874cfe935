namespace Appliance.Daemon.Store;

/// <summary>
/// Each origin's log in memory: the ids of the records whose current version it wrote, by sequence.
/// LiteDB could keep this as an index on the records, but a second skip list on every insert cost
/// about as much as the record itself and most of the garbage the store made; a list per origin
/// costs an append. An overwrite leaves its old entry in the list; a read skips entries whose
/// record has moved on since (its head says so), and a list is compacted once it is half dead.
/// </summary>
public sealed partial class DigestIndex
{
    private const int CompactAbove = 1024;
    private readonly Dictionary<string, OriginLog> _logs = new(StringComparer.Ordinal);

    private sealed class OriginLog
    {
        public readonly List<(long Seq, string Id)> Entries = [];
        public int Live;
        /// <summary>False after an append out of order (a recovery pull or a file scan goes by id).</summary>
        public bool Sorted = true;

        /// <summary>Index of the first entry after <paramref name="seq"/>.</summary>
        public int FirstAfter(long seq)
        {
            if (!Sorted) Entries.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            Sorted = true;
            int lo = 0, hi = Entries.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (Entries[mid].Seq <= seq) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    private void LogAdded(string origin, long seq, string id)
    {
        if (!_logs.TryGetValue(origin, out var log)) _logs[origin] = log = new OriginLog();
        var entries = log.Entries;
        if (entries.Count > 0 && entries[^1].Seq > seq) log.Sorted = false;
        entries.Add((seq, id));
        log.Live++;
        CompactIfHalfDead(origin, log);
    }

    private void CompactIfHalfDead(string origin, OriginLog log)
    {
        if (log.Entries.Count > CompactAbove && log.Entries.Count > 2 * log.Live)
            log.Entries.RemoveAll(e => !IsCurrent(origin, e.Seq, e.Id));
    }

    /// <summary>Entries kept for an origin, overwritten ones included (for tests of compaction).</summary>
    internal int LogLength(string origin) => _logs.TryGetValue(origin, out var log) ? log.Entries.Count : 0;

    private void LogRemoved(string origin) => _logs[origin].Live--;

    private bool IsCurrent(string origin, long seq, string id) =>
        _heads.TryGetValue(id, out var head) && head.Seq == seq && head.Version.Origin == origin;

    /// <summary>
    /// The ids of the records that <paramref name="origin"/>'s writes in (afterSeq, upTo] made and
    /// that still hold them, in sequence, at most <paramref name="max"/>. Through is how far they
    /// cover that log: upTo, or the last one's sequence when max cut the list short.
    /// </summary>
    public (List<string> Ids, long Through) LogAfter(string origin, long afterSeq, long upTo, int max)
    {
        var ids = new List<string>();
        if (!_logs.TryGetValue(origin, out var log)) return (ids, upTo);
        var last = afterSeq;
        for (var i = log.FirstAfter(afterSeq); i < log.Entries.Count && log.Entries[i].Seq <= upTo; i++)
        {
            var (seq, id) = log.Entries[i];
            if (!IsCurrent(origin, seq, id)) continue;
            if (ids.Count == max) return (ids, last);
            ids.Add(id);
            last = seq;
        }
        return (ids, upTo);
    }
}
