using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>
/// Tracked read-modify-write (Store.Reads.cs): a write decided from reads is refused, with nothing of
/// it stored, when a commit changed what it read after its reads began; untouched collections and
/// untracked writes go through as before.
/// </summary>
public sealed class StoreCheckedWriteTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly StoreClass _store;

    public StoreCheckedWriteTests() => _store = StoreClass.Open(_dir.Path);

    public void Dispose()
    {
        _store.Dispose();
        _dir.Dispose();
    }

    private static Mutation Set(string section, string key, string? value) => new(Scopes.Cluster, section, key, value);

    /// <summary>Another client's work: on a pool thread that does not inherit this flow's tracking.</summary>
    private static Task Elsewhere(Action work)
    {
        using (ExecutionContext.SuppressFlow()) return Task.Run(work);
    }

    private string? Value(string section, string key) => _store.Get(Scopes.Cluster, section, key)?.Value;

    [Fact]
    public async Task A_write_decided_from_a_collection_another_commit_changed_meanwhile_is_refused_and_stores_nothing()
    {
        await _store.WriteAsync([Set("ipv4", "", "{\"mask\":\"255.255.255.0\"}")]);
        using (_store.TrackReads())
        {
            Assert.Equal("{\"mask\":\"255.255.255.0\"}", Value("ipv4", ""));
            await Elsewhere(() => _store.Write([Set("ipv4", "", "{\"mask\":\"255.255.0.0\"}")])); // another client, untracked
            var refused = await Assert.ThrowsAsync<StaleReadException>(() => _store.WriteAsync([Set("ipv4", "", "{\"mask\":\"255.255.255.0\",\"gateway\":\"198.18.0.1\"}"), Set("other", "x", "{}")]));
            Assert.Equal("cluster/ipv4/", refused.Prefix);
        }
        Assert.Equal("{\"mask\":\"255.255.0.0\"}", Value("ipv4", ""));
        Assert.Null(Value("other", "x"));
    }

    [Fact]
    public async Task A_write_whose_reads_were_not_changed_goes_through_whatever_else_was_committed()
    {
        using (_store.TrackReads())
        {
            Assert.Empty(_store.List(Scopes.Cluster, "templates"));
            await Elsewhere(() => _store.Write([Set("bridges", "b1", "{}")]));
            await _store.WriteAsync([Set("templates", "t1", "{}")]);
        }
        Assert.Equal("{}", Value("templates", "t1"));
    }

    [Fact]
    public async Task One_item_read_is_stale_when_that_item_changed_and_not_when_another_item_of_its_collection_did()
    {
        await _store.WriteAsync([Set("locations", "east", "{}"), Set("locations", "west", "{}")]);
        using (_store.TrackReads())
        {
            _ = Value("locations", "east");
            await Elsewhere(() => _store.Write([Set("locations", "west", null)])); // another client removes west
            await _store.WriteAsync([Set("locations", "east", null)]);
        }
        using (_store.TrackReads())
        {
            _ = Value("locations", "north"); // absent when read
            await Elsewhere(() => _store.Write([Set("locations", "north", "{}")]));
            var refused = await Assert.ThrowsAsync<StaleReadException>(() => _store.WriteAsync([Set("locations", "south", "{}")]));
            Assert.Equal("cluster/locations/north", refused.Prefix);
        }
        Assert.Null(Value("locations", "east"));
        Assert.Null(Value("locations", "south"));
    }

    [Fact]
    public async Task A_scan_of_a_whole_scope_is_stale_once_any_collection_under_it_changed()
    {
        using (_store.TrackReads())
        {
            _ = _store.Scan(Scopes.Cluster + "/");
            await Elsewhere(() => _store.Write([Set("bridges", "b1", "{}")]));
            var refused = await Assert.ThrowsAsync<StaleReadException>(() => _store.WriteAsync([Set("templates", "t1", "{}")]));
            Assert.Equal("cluster/", refused.Prefix);
        }
    }

    [Fact]
    public async Task Tracking_ends_with_the_flows_write_and_with_dispose()
    {
        using (_store.TrackReads())
        {
            _ = Value("bridges", "b1");
            await Nested(); // the flow's first write, made in an async method of its own
            async Task Nested() => await _store.WriteAsync([Set("bridges", "b1", "{\"n\":1}")]);
            // The flow's own write changed what it read: its next write is not checked against that.
            await _store.WriteAsync([Set("bridges", "b1", "{\"n\":2}")]);
        }
        using (_store.TrackReads()) _ = Value("bridges", "b1");
        await Elsewhere(() => _store.Write([Set("bridges", "b1", "{\"n\":3}")]));
        await _store.WriteAsync([Set("bridges", "b2", "{}")]);
        Assert.Equal("{\"n\":3}", Value("bridges", "b1"));
        Assert.Equal("{}", Value("bridges", "b2"));
    }

    /// <summary>Two writes queued behind a commit share the next group: the second read what the first changes, so it is refused in that very commit.</summary>
    [Fact]
    public async Task In_one_group_commit_a_write_that_read_what_an_earlier_write_of_the_group_changes_is_refused()
    {
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() => _store.WithDigests(_ =>
        {
            holding.Set();
            release.Wait(TimeSpan.FromSeconds(10));
            return 0;
        }));
        Assert.True(holding.Wait(TimeSpan.FromSeconds(10)));

        async Task<Task> Queue(string key, string section)
        {
            using var reads = _store.TrackReads();
            _ = _store.List(Scopes.Cluster, section);
            return _store.WriteAsync([Set(section, key, "{}")]);
        }
        var first = await Queue("a", "locations");
        var second = await Queue("b", "locations");
        var elsewhere = await Task.Run(() => Queue("c", "bridges"));
        Assert.False(first.IsCompleted, "the writes wait for the write lock");
        release.Set();
        await holder;

        await first;
        var refused = await Assert.ThrowsAsync<StaleReadException>(() => second);
        Assert.Equal("cluster/locations/", refused.Prefix);
        await elsewhere;
        Assert.Equal(["a"], _store.List(Scopes.Cluster, "locations").Select(r => r.Key));
        Assert.Equal("{}", Value("bridges", "c"));
    }

    [Fact]
    public async Task Work_a_tracked_flow_started_is_untracked_once_the_flow_ends()
    {
        var go = new TaskCompletionSource();
        Task later;
        using (_store.TrackReads())
        {
            _ = Value("bridges", "b1");
            later = Task.Run(async () => // inherits the flow's tracking, as a dial loop or a timer would
            {
                await go.Task;
                await _store.WriteAsync([Set("bridges", "b1", "{\"later\":1}")]);
            });
        }
        await Elsewhere(() => _store.Write([Set("bridges", "b1", "{}")]));
        go.SetResult();
        await later; // not refused: the flow that read b1 has ended
        Assert.Equal("{\"later\":1}", Value("bridges", "b1"));
    }

    [Fact]
    public async Task Which_peers_exist_is_not_a_tracked_read_so_their_other_records_changing_refuses_nothing()
    {
        var peer = Scopes.Peer("other");
        await _store.WriteAsync([new Mutation(peer, "ipv4", "", "{}"), new Mutation(peer, "bridge-status", "b1", "{\"n\":1}")]);
        using (_store.TrackReads())
        {
            Assert.Contains(peer, _store.PeerScopes());
            _ = _store.Get(peer, "ipv4", "");
            await Elsewhere(() => _store.Write([new Mutation(peer, "bridge-status", "b1", "{\"n\":2}")]));
            await _store.WriteAsync([Set("templates", "t1", "{}")]);
        }
        Assert.Equal("{}", Value("templates", "t1"));
    }

    [Fact]
    public async Task A_join_reset_makes_every_tracked_read_before_it_stale()
    {
        await _store.WriteAsync([Set("bridges", "b1", "{}")]);
        using (_store.TrackReads())
        {
            _ = Value("templates", "t1");
            await Elsewhere(() => _store.ResetForJoin(Path.Combine(_dir.Path, "before-join.db")));
            await Assert.ThrowsAsync<StaleReadException>(() => _store.WriteAsync([Set("templates", "t1", "{}")]));
        }
    }

    [Fact]
    public async Task A_collections_stamp_moves_with_each_commit_that_changes_it_and_only_then()
    {
        var before = _store.StampOf("cluster/bridges/");
        await _store.WriteAsync([Set("templates", "t1", "{}")]);
        Assert.Equal(before, _store.StampOf("cluster/bridges/"));
        await _store.WriteAsync([Set("bridges", "b1", "{}")]);
        Assert.True(_store.StampOf("cluster/bridges/") > before);
    }
}
