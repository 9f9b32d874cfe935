using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>A peer keeps its own settings against another member's delete of them (Store.Owner.cs).</summary>
public sealed class StoreOwnerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact(Timeout = 30_000)]
    public async Task A_delete_of_a_live_peers_own_record_by_another_member_is_undone_by_a_newer_write_of_the_owner()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var scope = Scopes.Peer(a.PeerId);
        var own = a.Write([new Mutation(scope, "system", "system", """{"hostname":"alpha"}""")]).Operations;
        b.ApplyRemote(own);
        // b forgets a (say a was cut off and b's clock runs ahead): it deletes a's settings.
        var forget = b.Write([new Mutation(scope, "system", "system", null)]).Operations;
        Assert.True(b.Get(scope, "system", "system")!.Deleted);

        a.ApplyRemote(forget);

        StoredRecord? kept = null;
        await Support.Eventually.WaitUntil(() =>
        {
            kept = a.Get(scope, "system", "system");
            return Task.FromResult(kept is { Deleted: false } && kept.Version > forget[0].Record.Version);
        }, TimeSpan.FromSeconds(10), "a wrote its record again, newer than b's delete");
        Assert.Equal("""{"hostname":"alpha"}""", kept!.Value);
        Assert.Equal(a.PeerId, kept.Version.Origin);

        // The write travels like any other: b takes a's record back.
        b.ApplyRemote(a.ReadOps(a.PeerId, own[^1].Seq, 10).Ops);
        Assert.Equal("""{"hostname":"alpha"}""", b.Get(scope, "system", "system")!.Value);
    }

    [Fact]
    public void A_delete_of_another_peers_record_or_of_a_cluster_record_applies_as_usual()
    {
        using var a = StoreClass.Open(_dir["a"]);
        using var b = StoreClass.Open(_dir["b"]);
        var theirs = Scopes.Peer(b.PeerId);
        a.ApplyRemote(b.Write([new Mutation(theirs, "system", "system", "{}"), new Mutation(Scopes.Cluster, "bridges", "x", "{}")]).Operations);
        var deletes = b.Write([new Mutation(theirs, "system", "system", null), new Mutation(Scopes.Cluster, "bridges", "x", null)]).Operations;
        a.ApplyRemote(deletes);
        Assert.True(a.Get(theirs, "system", "system")!.Deleted);
        Assert.True(a.Get(Scopes.Cluster, "bridges", "x")!.Deleted);
    }
}
