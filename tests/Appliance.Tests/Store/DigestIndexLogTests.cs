using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using LiteDB;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>Each origin's log, indexed in memory: what a peer that fell behind is streamed from the file.</summary>
public sealed class DigestIndexLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static StoredRecord Record(string key, string origin, long hlc) =>
        new(Scopes.Cluster, "conferences", key, "{}", new RecordVersion(hlc, origin));

    private static string Id(string key) => StoredRecord.MakeId(Scopes.Cluster, "conferences", key);

    [Fact]
    public void An_overwritten_write_leaves_a_hole_and_max_says_how_far_the_ids_cover()
    {
        var index = new DigestIndex();
        for (var seq = 1; seq <= 6; seq++) index.Update(Record($"k{seq}", "a", seq), seq);
        index.Update(Record("k2", "a", 7), 7); // a's own later write
        index.Update(Record("k4", "b", 8), 1); // another origin's newer write

        var (ids, through) = index.LogAfter("a", 0, 7, 100);
        Assert.Equal(new[] { "k1", "k3", "k5", "k6", "k2" }.Select(Id), ids);
        Assert.Equal(7, through);
        (ids, through) = index.LogAfter("a", 0, 7, 2);
        Assert.Equal(new[] { "k1", "k3" }.Select(Id), ids);
        Assert.Equal(3, through);
        (ids, through) = index.LogAfter("a", 3, 5, 100); // 4 is b's now: a hole, still covered
        Assert.Equal([Id("k5")], ids);
        Assert.Equal(5, through);
        Assert.Equal([Id("k4")], index.LogAfter("b", 0, 1, 100).Ids);
        Assert.Empty(index.LogAfter("nobody", 0, 10, 100).Ids);
    }

    [Fact]
    public void Writes_learned_out_of_order_are_read_in_sequence()
    {
        // A recovery pull (or the scan at open) goes by record id, not by sequence.
        var index = new DigestIndex();
        foreach (var seq in new long[] { 5, 2, 9, 1, 7 }) index.Update(Record($"k{seq}", "a", seq), seq);
        Assert.Equal(new long[] { 1, 2, 5, 7, 9 }.Select(s => Id($"k{s}")), index.LogAfter("a", 0, 9, 100).Ids);
        index.Update(Record("k3", "a", 3), 3);
        Assert.Equal(new long[] { 3, 5 }.Select(s => Id($"k{s}")), index.LogAfter("a", 2, 6, 100).Ids);
    }

    [Fact]
    public void A_log_of_mostly_overwritten_writes_is_compacted_and_still_reads_right()
    {
        var index = new DigestIndex();
        long seq = 0;
        for (var round = 0; round < 500; round++)
            for (var k = 0; k < 10; k++) { seq++; index.Update(Record($"k{k}", "a", seq), seq); }

        var (ids, through) = index.LogAfter("a", 0, seq, 100);
        Assert.Equal(Enumerable.Range(0, 10).Select(k => Id($"k{k}")), ids);
        Assert.Equal(seq, through);
        Assert.Empty(index.LogAfter("a", 0, seq - 10, 100).Ids);
        Assert.InRange(index.LogLength("a"), 10, 1025); // 5,000 writes, 10 of them current
    }

    [Fact]
    public void A_file_written_with_the_log_index_in_LiteDB_drops_it_and_streams_the_same_ops()
    {
        string peer;
        using (var store = StoreClass.Open(_dir.Path))
        {
            peer = store.PeerId;
            for (var i = 0; i < 30; i++) store.Write([new Mutation(Scopes.Cluster, "conferences", $"c{i % 7}", $"{{\"n\":{i}}}")]);
        }
        var file = Path.Combine(_dir.Path, StoreClass.FileName);
        using (var db = new LiteDatabase(new ConnectionString { Filename = file, Connection = ConnectionType.Direct }))
            Assert.True(db.GetCollection("records").EnsureIndex("os", "$.os"));

        using (var reopened = StoreClass.Open(_dir.Path))
        {
            var slice = reopened.ReadOps(peer, 0, 100);
            Assert.Equal(Enumerable.Range(24, 7).Select(s => (long)s), slice.Ops.Select(o => o.Seq));
            Assert.Equal(30, slice.Through);
            Assert.Equal(["c2", "c3"], reopened.ReadOps(peer, 0, 2).Ops.Select(o => o.Record.Key));
        }
        using (var db = new LiteDatabase(new ConnectionString { Filename = file, Connection = ConnectionType.Direct }))
            Assert.DoesNotContain(db.GetCollection("$indexes").FindAll(), d => d["name"] == "os");
    }
}
