using System.Security.Cryptography;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

public sealed class StoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Mutation Set(string section, string key, string? value, string scope = Scopes.Cluster) => new(scope, section, key, value);

    [Fact]
    public void Writes_carry_increasing_versions_from_this_peer_and_survive_reopen()
    {
        string peerId;
        using (var store = StoreClass.Open(_dir.Path))
        {
            peerId = store.PeerId;
            store.Write([Set("bridges", "b1", "{\"a\":1}")]);
            store.Write([Set("bridges", "b1", "{\"a\":2}")]);
            var r = store.Get(Scopes.Cluster, "bridges", "b1")!;
            Assert.Equal("{\"a\":2}", r.Value);
            Assert.Equal(peerId, r.Version.Origin);
            Assert.Equal(2, store.VersionVector()[peerId]);
        }
        using var reopened = StoreClass.Open(_dir.Path);
        Assert.Equal(peerId, reopened.PeerId);
        Assert.Equal("{\"a\":2}", reopened.Get(Scopes.Cluster, "bridges", "b1")!.Value);
        var next = reopened.Write([Set("bridges", "b1", "{\"a\":3}")]).Operations.Single();
        Assert.Equal(3, next.Seq);
        Assert.True(next.Record.Version > next.Prev, "a write after reopen must get a newer version than what is stored");
    }

    /// <summary>The replication senders listen on CommittedFirst: every commit, local or from a peer, reaches it before the other listeners.</summary>
    [Fact]
    public void CommittedFirst_hears_every_commit_before_Committed()
    {
        using var store = StoreClass.Open(_dir.Path);
        var heard = new List<string>();
        store.Committed += c => heard.Add($"committed {c.Remote}");
        store.CommittedFirst += c => heard.Add($"first {c.Remote}");
        store.Write([Set("bridges", "b1", "{\"a\":1}")]);
        store.ApplyRemote([new Operation("peer-x", 1, new StoredRecord(Scopes.Cluster, "bridges", "b2", "{}", new RecordVersion(5L << 16, "peer-x")), RecordVersion.None)],
            [new OpRange("peer-x", 0, 1)]);
        Assert.Equal(["first False", "committed False", "first True", "committed True"], heard);
    }

    /// <summary>The clock's saved bound is written only when the clock passes it, not with every commit (issue 19).</summary>
    [Fact]
    public void After_a_restart_with_the_wall_clock_set_back_new_versions_are_above_every_stored_one()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T12:00:00Z"));
        long newest;
        using (var store = StoreClass.Open(_dir.Path, time))
        {
            for (var i = 0; i < 20; i++)
            {
                store.Write([Set("bridges", $"b{i}", $"{{\"a\":{i}}}")]);
                time.Advance(TimeSpan.FromMilliseconds(30));
            }
            newest = store.Scan().Max(r => r.Version.Hlc);
        }
        var setBack = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T11:00:00Z"));
        using var reopened = StoreClass.Open(_dir.Path, setBack);
        var next = reopened.Write([Set("bridges", "other", "{\"a\":1}")]).Operations.Single();
        Assert.True(next.Record.Version.Hlc > newest, $"a write after the restart got {next.Record.Version.Hlc}, not above {newest}");
    }

    [Fact]
    public void Scopes_keep_records_apart_and_local_values_never_enter_the_records()
    {
        using var store = StoreClass.Open(_dir.Path);
        var peer = Scopes.Peer(store.PeerId);
        store.Write([Set("system", "", "{\"hostname\":\"a\"}", peer), Set("admin", "", "{\"user\":\"x\"}")]);
        store.SetLocal("cluster-key", "secret");
        Assert.Single(store.List(peer, "system"));
        Assert.Empty(store.List(Scopes.Cluster, "system"));
        Assert.Equal("secret", store.GetLocal("cluster-key"));
        Assert.DoesNotContain(store.Scan(), r => r.Value?.Contains("secret") == true);
    }

    [Fact]
    public void Delete_leaves_a_tombstone_with_a_newer_version_and_an_op()
    {
        using var store = StoreClass.Open(_dir.Path);
        store.Write([Set("bridges", "b1", "{}")]);
        var del = store.Write([Set("bridges", "b1", null)]).Operations.Single();
        Assert.Empty(store.List(Scopes.Cluster, "bridges"));
        var tomb = Assert.Single(store.ListWithTombstones(Scopes.Cluster, "bridges"));
        Assert.True(tomb.Deleted);
        Assert.Equal(del.Record.Version, tomb.Version);
        Assert.Equal(2, store.ReadOps(store.PeerId, 0, 100).Through);
    }

    [Fact]
    public void Unchanged_writes_are_skipped()
    {
        using var store = StoreClass.Open(_dir.Path);
        store.Write([Set("bridges", "b1", "{}")]);
        Assert.Empty(store.Write([Set("bridges", "b1", "{}")]).Operations);
        Assert.Empty(store.Write([Set("bridges", "none", null)]).Operations);
    }

    [Fact]
    public void Op_log_reads_everything_from_an_origin_after_a_sequence()
    {
        using var store = StoreClass.Open(_dir.Path);
        for (var i = 0; i < 10; i++) store.Write([Set("conferences", $"c{i}", $"{{\"n\":{i}}}")]);
        var slice = store.ReadOps(store.PeerId, 4, 3);
        Assert.Equal([5L, 6L, 7L], slice.Ops.Select(o => o.Seq));
        Assert.Equal("c4", slice.Ops[0].Record.Key);
        Assert.Equal(7, slice.Through);
        Assert.Equal(10, store.ReadOps(store.PeerId, 7, 100).Through);
        Assert.Empty(store.ReadOps("someone-else", 0, 10).Ops);
    }

    [Fact]
    public void Remote_ops_merge_last_writer_wins_identically_and_report_the_loser()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        // Concurrent writes to one record on both peers.
        var opA = a.Write([Set("admin", "", "{\"user\":\"alice\"}")]).Operations;
        var opB = b.Write([Set("admin", "", "{\"user\":\"bob\"}")]).Operations;
        var onA = a.ApplyRemote(opB);
        var onB = b.ApplyRemote(opA);
        var winner = a.Get(Scopes.Cluster, "admin", "")!;
        Assert.Equal(winner, b.Get(Scopes.Cluster, "admin", ""));
        // Both peers record the same loser, whichever it is.
        var conflicts = onA.Commit.Conflicts.Concat(onB.Commit.Conflicts).ToList();
        Assert.Equal(2, conflicts.Count);
        Assert.All(conflicts, c => Assert.Equal(winner, c.Winner));
        Assert.All(conflicts, c => Assert.NotEqual(winner.Value, c.Loser.Value));
    }

    [Fact]
    public void Remote_ops_skip_duplicates_and_stop_at_a_gap()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var ops = Enumerable.Range(0, 5).SelectMany(i => a.Write([Set("conferences", $"c{i}", "{}")]).Operations).ToList();
        b.ApplyRemote(ops.Take(2).ToList());
        var result = b.ApplyRemote([ops[1], ops[3], ops[4]]);
        Assert.Empty(result.Commit.Operations);
        Assert.Contains(a.PeerId, result.Gaps);
        Assert.Equal(2, b.VersionVector()[a.PeerId]);
        b.ApplyRemote(ops.Skip(2).ToList());
        Assert.Equal(5, b.VersionVector()[a.PeerId]);
        Assert.Equal(5, b.List(Scopes.Cluster, "conferences").Count);
    }

    [Fact]
    public void A_remote_tombstone_deletes_and_an_older_write_does_not_resurrect()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var create = a.Write([Set("bridges", "b1", "{}")]).Operations;
        b.ApplyRemote(create);
        var delete = a.Write([Set("bridges", "b1", null)]).Operations;
        b.ApplyRemote(delete);
        Assert.Empty(b.List(Scopes.Cluster, "bridges"));
        Assert.True(b.Get(Scopes.Cluster, "bridges", "b1")!.Deleted);
    }

    [Fact]
    public void A_second_open_of_the_same_data_dir_is_refused_clearly()
    {
        using var store = StoreClass.Open(_dir.Path);
        var e = Assert.Throws<StoreOpenException>(() => StoreClass.Open(_dir.Path));
        Assert.Contains("locked by another running applianced", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_store_is_refused_and_left_untouched()
    {
        var path = Path.Combine(_dir.Path, StoreClass.FileName);
        var garbage = RandomNumberGenerator.GetBytes(64 * 1024);
        File.WriteAllBytes(path, garbage);
        var e = Assert.Throws<StoreOpenException>(() => StoreClass.Open(_dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("restore a backup", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(garbage, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_op_log_never_outgrows_the_records_and_its_holes_are_covered()
    {
        using (var first = StoreClass.Open(_dir["a"]))
        {
            for (var i = 0; i < 30; i++) first.Write([Set("conferences", $"c{i % 3}", $"{{\"n\":{i}}}")]);
            Assert.Equal(30, first.ReadOps(first.PeerId, 0, 100).Count); // the newest are still in memory
        }
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var slice = a.ReadOps(a.PeerId, 0, 100);
        // 30 writes to 3 records: in the file only the last write of each is still in the log.
        Assert.Equal([28L, 29L, 30L], slice.Ops.Select(o => o.Seq));
        Assert.Equal(30, slice.Through);
        // A peer that applies them holds everything of a up to 30, though 27 writes never reached it.
        var applied = b.ApplyRemote(slice.Ops, [new OpRange(a.PeerId, 0, slice.Through)]);
        Assert.Empty(applied.Gaps);
        Assert.Equal(30, b.VersionVector()[a.PeerId]);
        Assert.Equal(a.List(Scopes.Cluster, "conferences"), b.List(Scopes.Cluster, "conferences"));
        // A range starting beyond what b holds is a gap: nothing of it applies.
        a.Write([Set("conferences", "late", "{}")]);
        var late = a.ReadOps(a.PeerId, 30, 100);
        Assert.Contains(a.PeerId, b.ApplyRemote(late.Ops, [new OpRange(a.PeerId, 30 + 1, late.Through)]).Gaps);
        Assert.Null(b.Get(Scopes.Cluster, "conferences", "late"));
    }

    [Fact]
    public void Ranges_of_one_origin_chain_within_one_apply_and_a_jump_is_a_gap()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        for (var i = 1; i <= 6; i++) a.Write([Set("conferences", $"c{i}", "{}")]);
        var ops = a.ReadOps(a.PeerId, 0, 100).Ops;
        // Two batches read back to back, applied together: (0,2] then (2,4].
        var both = b.ApplyRemote(ops.Take(4).ToList(), [new OpRange(a.PeerId, 0, 2), new OpRange(a.PeerId, 2, 4)]);
        Assert.Empty(both.Gaps);
        Assert.Equal(4, b.VersionVector()[a.PeerId]);
        // A range after a hole (5 missing) waits: nothing of it applies, the position stays.
        var jump = b.ApplyRemote([ops[5]], [new OpRange(a.PeerId, 5, 6)]);
        Assert.Contains(a.PeerId, jump.Gaps);
        Assert.Equal(4, b.VersionVector()[a.PeerId]);
        Assert.Null(b.Get(Scopes.Cluster, "conferences", "c6"));
    }

    [Fact]
    public void A_collection_scan_pages_through_every_record_once_and_stops_at_the_collection()
    {
        using var store = StoreClass.Open(_dir.Path);
        store.Write(Enumerable.Range(0, 25).Select(i => Set("conferences", $"c{i:D2}", "{}")).ToList());
        store.Write([Set("conferences0", "x", "{}"), Set("conference", "y", "{}"), Set("conferencesX", "z", "{}")]);
        var seen = new List<string>();
        string? after = null;
        while (store.ScanOps("cluster/conferences", after, 10) is { Count: > 0 } page)
        {
            seen.AddRange(page.Select(o => o.Record.Key));
            after = page[^1].Record.Id;
        }
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"c{i:D2}"), seen);
    }

    [Fact]
    public void Digests_match_when_two_stores_hold_the_same_records_and_pinpoint_a_difference()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var ops = Enumerable.Range(0, 500).SelectMany(i => a.Write([Set("conferences", $"c{i}", $"{{\"n\":{i}}}")]).Operations).ToList();
        b.ApplyRemote(ops);
        Assert.Equal(a.WithDigests(d => d.Collections()), b.WithDigests(d => d.Collections()));
        b.Write([Set("conferences", "c7", "{\"n\":-1}")]);
        var (da, db) = (a.WithDigests(d => d.Collections()), b.WithDigests(d => d.Collections()));
        Assert.NotEqual(da["cluster/conferences"], db["cluster/conferences"]);
        var childrenA = a.WithDigests(d => d.Children("cluster/conferences", 0, 0));
        var childrenB = b.WithDigests(d => d.Children("cluster/conferences", 0, 0));
        Assert.Single(Enumerable.Range(0, DigestIndex.FanOut), i => childrenA[i] != childrenB[i]);
    }

    [Fact]
    public async Task Concurrent_writers_share_commits_and_every_write_gets_its_own_contiguous_ops()
    {
        using var store = StoreClass.Open(_dir.Path);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
            Enumerable.Range(0, 50).Select(i => store.Write([Set("conferences", $"w{w}-{i}", "{}")]).Operations.Single()).ToList()));
        var ops = (await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60))).SelectMany(o => o).ToList();
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), ops.Select(o => o.Seq).Order());
        Assert.Equal(400, store.List(Scopes.Cluster, "conferences").Count);
        Assert.Equal(400, store.VersionVector()[store.PeerId]);
    }
}
