using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using LiteDB;
using LiteDB.Engine;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>Record keys are case-sensitive, also in store files created before they were.</summary>
public sealed class StoreKeyCaseTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Mutation Set(string key, string value) => new(Scopes.Cluster, "conferences", key, value);

    [Fact]
    public void Keys_that_differ_only_in_case_are_two_records()
    {
        using var store = StoreClass.Open(_dir.Path);
        store.Write([Set("Room-A", "upper")]);
        store.Write([Set("room-a", "lower")]);
        Assert.Equal("upper", store.Get(Scopes.Cluster, "conferences", "Room-A")!.Value);
        Assert.Equal("lower", store.Get(Scopes.Cluster, "conferences", "room-a")!.Value);
        Assert.Equal(2, store.List(Scopes.Cluster, "conferences").Count);
    }

    [Fact]
    public void Case_variants_written_on_two_peers_replicate_both_ways()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var fromA = a.Write([Set("Room-A", "on a")]).Operations;
        var fromB = b.Write([Set("room-a", "on b")]).Operations;
        Assert.Empty(a.ApplyRemote(fromB).Gaps);
        Assert.Empty(b.ApplyRemote(fromA).Gaps);
        foreach (var store in new[] { a, b })
        {
            Assert.Equal("on a", store.Get(Scopes.Cluster, "conferences", "Room-A")!.Value);
            Assert.Equal("on b", store.Get(Scopes.Cluster, "conferences", "room-a")!.Value);
        }
    }

    [Fact]
    public void A_file_made_with_case_insensitive_ids_is_rebuilt_on_open_and_keeps_every_record()
    {
        string peerId;
        using (var store = StoreClass.Open(_dir.Path))
        {
            peerId = store.PeerId;
            for (var i = 0; i < 50; i++) store.Write([Set($"Room-{i}", $"v{i}")]);
        }
        var file = Path.Combine(_dir.Path, StoreClass.FileName);
        using (var raw = new LiteDatabase(new ConnectionString { Filename = file, Connection = ConnectionType.Direct }))
            raw.Rebuild(new RebuildOptions { Collation = new Collation(System.Globalization.CultureInfo.InvariantCulture.LCID, System.Globalization.CompareOptions.IgnoreCase) }); // as files were made before
        File.Delete(Path.Combine(_dir.Path, "store-backup.db"));

        using (var reopened = StoreClass.Open(_dir.Path))
        {
            Assert.Equal(peerId, reopened.PeerId);
            Assert.Equal(50, reopened.VersionVector()[peerId]);
            Assert.Equal(50, reopened.List(Scopes.Cluster, "conferences").Count);
            Assert.Equal("v7", reopened.Get(Scopes.Cluster, "conferences", "Room-7")!.Value);
            Assert.Null(reopened.Get(Scopes.Cluster, "conferences", "room-7"));
            reopened.Write([Set("room-7", "lower")]);
            Assert.Equal("v7", reopened.Get(Scopes.Cluster, "conferences", "Room-7")!.Value);
            Assert.Equal(51, reopened.ReadOps(peerId, 0, 1000).Ops.Count);
        }
        Assert.Equal([StoreClass.FileName], Directory.GetFiles(_dir.Path, "*.db").Select(Path.GetFileName));
    }
}
