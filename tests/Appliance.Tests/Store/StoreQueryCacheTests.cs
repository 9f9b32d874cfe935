using System.Runtime;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>
/// LiteDB keeps every query expression it has compiled, keyed by its text, for the life of the
/// process. A range query with the values written into its text compiles anew (about a millisecond
/// of JIT) and stays in memory for every distinct range: a daemon serving catch-ups and recovery
/// pages would grow without end. Range reads must pass their bounds as parameters.
/// </summary>
public sealed class StoreQueryCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reading_many_distinct_ranges_compiles_no_new_query_per_range()
    {
        using (var writer = StoreClass.Open(_dir.Path))
        {
            for (var b = 0; b < 10; b++)
                writer.Write(Enumerable.Range(0, 100).Select(i => new Mutation(Scopes.Cluster, "conferences", $"c{b:00}-{i:000}", "{}")).ToList());
        }
        // Reopened, the store holds no ops in memory: the op log is read from the file.
        using var reopened = StoreClass.Open(_dir.Path);
        ReadRanges(reopened, 0); // compiles each query shape once

        var before = JitInfo.GetCompiledMethodCount(currentThread: true);
        var read = ReadRanges(reopened, 1);
        var compiled = JitInfo.GetCompiledMethodCount(currentThread: true) - before;

        Assert.Equal(2 * 200, read);
        Assert.True(compiled < 20, $"200 distinct op-log ranges and 200 distinct collection pages compiled {compiled} methods");
    }

    /// <summary>200 op-log reads and 200 collection pages, each with bounds not used before.</summary>
    private static int ReadRanges(StoreClass store, int offset)
    {
        var peer = store.PeerId;
        var read = 0;
        for (var i = 0; i < 200; i++)
        {
            read += store.ReadOps(peer, 2 * i + offset, 1).Ops.Count;
            read += store.ScanOps("cluster/conferences", $"cluster/conferences/c{i % 10:00}-{i / 10 * 2 + offset:000}", 1).Count;
        }
        return read;
    }
}
