using Appliance.Daemon.Backup;
using Appliance.Daemon.Store;

namespace Appliance.Tests.Maintenance;

/// <summary>A backup taken while writes stream in is one consistent state of the store.</summary>
public sealed class BackupConsistencyTests
{
    [Fact]
    public async Task Backup_taken_during_a_stream_of_writes_restores_into_a_consistent_store()
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-C1");
        var store = peer.Node.Store;
        using var stop = new CancellationTokenSource();
        var written = 0;
        // Each commit adds one item and moves a counter in the same transaction: a torn copy would disagree.
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = written + 1;
                store.Write([
                    new Mutation(Scopes.Cluster, "stream", $"k{n:D6}", $"{{\"n\":{n}}}"),
                    new Mutation(Scopes.Cluster, "stream-count", "", $"{{\"n\":{n}}}"),
                ]);
                written = n;
            }
        });
        try
        {
            var files = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                await Ports.EventuallyAsync(() => Task.FromResult(written >= (i + 1) * 20), "writes");
                files.Add((await peer.Node.Maintenance.Backups.CreateAsync(null).WaitAsync(TestPeer.Timeout)).Path);
            }
            await stop.CancelAsync();
            await writer.WaitAsync(TestPeer.Timeout);

            var counts = new List<int>();
            foreach (var (file, i) in files.Select((f, i) => (f, i)))
            {
                var other = peer.Dir($"restored{i}");
                await BackupReader.OpenAsync(file, null, other).WaitAsync(TestPeer.Timeout);
                using var copy = Store.Open(other);
                var items = copy.List(Scopes.Cluster, "stream").Count;
                var counter = copy.Get(Scopes.Cluster, "stream-count", "");
                Assert.NotNull(counter);
                Assert.Equal($"{{\"n\":{items}}}", counter.Value);
                Assert.Equal(copy.VersionVector()[copy.PeerId], copy.ReadOps(copy.PeerId, 0, int.MaxValue).Ops.Max(o => o.Seq));
                counts.Add(items);
            }
            Assert.True(counts[0] >= 20 && counts[2] > counts[0], string.Join(",", counts));
        }
        finally
        {
            await stop.CancelAsync();
            await writer.WaitAsync(TestPeer.Timeout);
        }
    }
}
