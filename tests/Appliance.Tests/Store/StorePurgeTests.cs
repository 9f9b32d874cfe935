using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using Xunit.Abstractions;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>Tombstone purge and the file rebuild that gives the space back, on a real store file.</summary>
public sealed class StorePurgeTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Mutation Bridge(int i, string? value) => new(Scopes.Cluster, "bridges", $"b{i}", value);

    [Fact]
    public void Purged_tombstones_leave_the_digests_and_the_rebuilt_file_returns_to_its_size()
    {
        using var store = StoreClass.Open(_dir.Path);
        store.Write([new Mutation(Scopes.Cluster, "ntp", "", "{\"servers\":[]}")]);
        var digestsBefore = store.WithDigests(d => d.Collections());
        var before = store.FileBytes;
        const int n = 10_000;
        foreach (var chunk in Enumerable.Range(0, n).Chunk(500)) store.Write(chunk.Select(i => Bridge(i, $"{{\"address\":\"10.0.{i / 256}.{i % 256}\"}}")).ToList());
        var peak = store.FileBytes;
        foreach (var chunk in Enumerable.Range(0, n).Chunk(500)) store.Write(chunk.Select(i => Bridge(i, null)).ToList());
        Assert.Equal(n, store.TombstoneCounts().Tombstones);

        Assert.Equal(n, store.PurgeTombstones((_, _, _) => true));
        var ms = store.CompactIfWorthIt(settled: true, out _);
        output.WriteLine($"{before} bytes before, {peak} with {n} records, {store.FileBytes} after purge and rebuild ({ms:0} ms)");
        Assert.NotNull(ms);
        Assert.Equal((0, 1), store.TombstoneCounts());
        Assert.Equal(digestsBefore, store.WithDigests(d => d.Collections()));
        Assert.InRange(store.FileBytes, 0, before + 64 * 1024);
    }

    /// <summary>The states a process killed inside LiteDB's rebuild leaves (its two renames, Store.Compact.cs).</summary>
    [Theory]
    [InlineData(false, true)]  // killed between the renames: no store.db, the old file as store-backup.db
    [InlineData(true, true)]   // killed after both: the new store.db and the old one's backup
    [InlineData(true, false)]  // killed while writing store-temp.db
    public void A_rebuild_cut_short_leaves_a_whole_store_at_the_next_start(bool storeLeft, bool backupLeft)
    {
        var path = Path.Combine(_dir.Path, StoreClass.FileName);
        using (var store = StoreClass.Open(_dir.Path)) store.Write([Bridge(1, "{\"address\":\"10.0.0.1\"}")]);
        var backup = Path.Combine(_dir.Path, "store-backup.db");
        if (backupLeft) File.Copy(path, backup);
        if (!storeLeft) File.Delete(path);
        File.WriteAllText(Path.Combine(_dir.Path, "store-temp.db"), "half a rebuild");

        using var reopened = StoreClass.Open(_dir.Path);
        Assert.Equal("{\"address\":\"10.0.0.1\"}", reopened.Get(Scopes.Cluster, "bridges", "b1")?.Value);
        Assert.False(File.Exists(backup), "the backup of a finished or undone rebuild is removed");
        Assert.False(File.Exists(Path.Combine(_dir.Path, "store-temp.db")), "a half-built temp file is removed");
    }
}
