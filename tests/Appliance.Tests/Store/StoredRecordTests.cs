using Appliance.Daemon.Store;

namespace Appliance.Tests.Persistence;

/// <summary>A record's id is made once, with the record: a copy that changes a part of it gets its own.</summary>
public sealed class StoredRecordTests
{
    private static readonly StoredRecord Record = new(Scopes.Cluster, "bridges", "b1", "{}", new RecordVersion(1, "p"));

    [Fact]
    public void The_id_names_scope_section_and_key()
    {
        Assert.Equal("cluster/bridges/b1", Record.Id);
        Assert.Equal(StoredRecord.MakeId(Scopes.Cluster, "bridges", "b1"), Record.Id);
    }

    [Fact]
    public void A_copy_with_another_scope_section_or_key_has_its_own_id()
    {
        Assert.Equal("cluster/bridges/b2", (Record with { Key = "b2" }).Id);
        Assert.Equal("cluster/templates/b1", (Record with { Section = "templates" }).Id);
        Assert.Equal($"{Scopes.Peer("x")}/bridges/b1", (Record with { Scope = Scopes.Peer("x") }).Id);
        Assert.Equal($"{Scopes.Peer("x")}/templates/b3", (Record with { Scope = Scopes.Peer("x"), Section = "templates", Key = "b3" }).Id);
        Assert.Equal("cluster/bridges/b1", (Record with { Value = null }).Id);
    }

    [Fact]
    public void Records_equal_in_every_part_are_equal()
    {
        var same = new StoredRecord(Scopes.Cluster, "bridges", "b1", "{}", new RecordVersion(1, "p"));
        Assert.Equal(Record, same);
        Assert.Equal(Record.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(Record, Record with { Key = "b2" });
    }
}
