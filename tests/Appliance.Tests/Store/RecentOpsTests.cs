using Appliance.Daemon.Store;

namespace Appliance.Tests.Persistence;

public sealed class RecentOpsTests
{
    private static Operation Op(long seq) =>
        new("a", seq, new StoredRecord(Scopes.Cluster, "conferences", $"k{seq}", "{}", new RecordVersion(seq, "a")), RecordVersion.None);

    private static long[] Seqs(OpSlice? slice) => slice!.Ops.Select(o => o.Seq).ToArray();

    [Fact]
    public void Reads_what_follows_a_position_up_to_max_and_says_how_far_it_covers()
    {
        var recent = new RecentOps(capacityPerOrigin: 100);
        // Seqs 3 and 6 are holes: applied elsewhere or overwritten, but covered by the commits' ranges.
        recent.Add("a", 0, 5, [Op(1), Op(2), Op(4), Op(5)]);
        recent.Add("a", 5, 8, [Op(7), Op(8)]);

        Assert.Equal([4, 5, 7, 8], Seqs(recent.TryRead("a", 2, 8, 10)));
        Assert.Equal(8, recent.TryRead("a", 2, 8, 10)!.Through);
        var limited = recent.TryRead("a", 2, 8, 2)!;
        Assert.Equal([4, 5], Seqs(limited));
        Assert.Equal(5, limited.Through);
        Assert.Empty(recent.TryRead("a", 8, 8, 10)!.Ops);
        Assert.Null(recent.TryRead("a", 2, 9, 10)); // the store holds more than memory does
        Assert.Null(recent.TryRead("b", 0, 1, 10));
    }

    [Fact]
    public void Keeps_the_newest_ops_and_sends_older_positions_to_the_file()
    {
        var recent = new RecentOps(capacityPerOrigin: 10);
        for (var s = 1; s <= 1000; s++) recent.Add("a", s - 1, s, [Op(s)]);

        Assert.Null(recent.TryRead("a", 989, 1000, 100)); // op 990 has left memory
        Assert.Equal(Enumerable.Range(991, 10).Select(i => (long)i).ToArray(), Seqs(recent.TryRead("a", 990, 1000, 100)));
        Assert.Equal([996, 997], Seqs(recent.TryRead("a", 995, 1000, 2)));
    }

    [Fact]
    public void A_commit_that_does_not_continue_the_stretch_starts_a_new_one()
    {
        var recent = new RecentOps(capacityPerOrigin: 10);
        recent.Add("a", 0, 2, [Op(1), Op(2)]);
        recent.Add("a", 5, 6, [Op(6)]); // 3..5 came by recovery, not through here
        Assert.Null(recent.TryRead("a", 2, 6, 10));
        Assert.Equal([6], Seqs(recent.TryRead("a", 5, 6, 10)));
    }

    [Fact]
    public void Commits_after_the_callers_position_stay_out_and_do_not_send_it_to_the_file()
    {
        // The caller read the version vector (up to 5), then another commit reached memory (up to 8).
        var recent = new RecentOps(capacityPerOrigin: 100);
        recent.Add("a", 0, 5, [Op(1), Op(2), Op(4), Op(5)]);
        recent.Add("a", 5, 8, [Op(7), Op(8)]);

        var slice = recent.TryRead("a", 1, 5, 10)!;
        Assert.Equal([2, 4, 5], Seqs(slice));
        Assert.Equal(5, slice.Through);
        var inHole = recent.TryRead("a", 1, 6, 10)!; // 6 is a hole: covered, nothing to send
        Assert.Equal([2, 4, 5], Seqs(inHole));
        Assert.Equal(6, inHole.Through);
        var limited = recent.TryRead("a", 1, 7, 2)!;
        Assert.Equal([2, 4], Seqs(limited));
        Assert.Equal(4, limited.Through);
        Assert.Equal([5, 7], Seqs(recent.TryRead("a", 4, 7, 2)));
        Assert.Equal(7, recent.TryRead("a", 4, 7, 2)!.Through);
    }
}
