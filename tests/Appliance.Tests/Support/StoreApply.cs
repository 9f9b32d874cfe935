using Appliance.Daemon.Store;

namespace Appliance.Tests.Support;

/// <summary>Test shorthand for applying another store's ops without writing out the ranges a sender would.</summary>
public static class StoreApply
{
    /// <summary>
    /// Applies ops that are each origin's log read contiguously from its first op here: each origin's
    /// range runs from just before its lowest op to the end of its first unbroken run, and a missing
    /// sequence number after that reports the origin as a gap.
    /// </summary>
    public static RemoteApplyResult ApplyRemote(this Store store, IReadOnlyList<Operation> ops)
    {
        var ranges = new List<OpRange>();
        var gaps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var origin in ops.GroupBy(o => o.Origin))
        {
            var seqs = origin.Select(o => o.Seq).Order().ToList();
            var through = seqs[0];
            foreach (var s in seqs.Skip(1))
                if (s == through + 1) through = s;
                else if (s > through) { gaps.Add(origin.Key); break; }
            ranges.Add(new OpRange(origin.Key, seqs[0] - 1, through));
        }
        var result = store.ApplyRemote(ops, ranges);
        return gaps.Count == 0 ? result : result with { Gaps = result.Gaps.Union(gaps).ToHashSet() };
    }
}
