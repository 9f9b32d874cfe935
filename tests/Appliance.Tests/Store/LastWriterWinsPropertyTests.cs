using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using CsCheck;
using Xunit.Abstractions;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Persistence;

/// <summary>
/// Last writer wins, as a property: the same ops delivered to real stores (LiteDB files in temp
/// directories, the real apply and recovery paths) in any order, with losses repaired and with
/// duplicates, leave every store with the same records, digests and version vector. CsCheck
/// generates the histories (<see cref="LwwScenario"/>) and shrinks a failing one to a small case.
/// </summary>
public class LastWriterWinsPropertyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);
    /// <summary>About 10 s here; CsCheck_Iter=N runs a longer search, CsCheck_Seed=S replays a failure.</summary>
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), out var n) ? n : 40;

    [Fact]
    public void Any_delivery_order_duplication_or_loss_and_repair_gives_every_store_the_same_records_and_digests() =>
        LwwScenario.Generator.Sample(Converges, output.WriteLine, iter: Iterations, threads: 1);

    private static void Converges(LwwScenario scenario)
    {
        using var dir = new TempDirectory();
        // The peer the repairs come from: it received every origin's log in order.
        using var source = StoreClass.Open(dir["source"]);
        foreach (var origin in scenario.Ops.GroupBy(o => o.Origin))
            source.ApplyRemote(origin.ToList(), [new OpRange(origin.Key, 0, origin.Count())]);
        var stores = new List<StoreClass>();
        try
        {
            for (var i = 0; i < LwwScenario.Stores; i++)
            {
                var store = StoreClass.Open(dir[$"peer{i}"]);
                Deliver(store, scenario.Deliveries[i], source, stores.LastOrDefault());
                stores.Add(store);
            }
            AssertSameAsExpected(scenario, source, stores);
        }
        finally
        {
            foreach (var s in stores) s.Dispose();
        }
    }

    private static void Deliver(StoreClass store, Delivery delivery, StoreClass source, StoreClass? neighbour)
    {
        // Batches that arrive while one is applied are applied together (BatchApplier).
        foreach (var group in delivery.Groups)
            store.ApplyRemote(group.SelectMany(b => b.Ops).ToList(), group.Select(b => b.Range).ToList());
        if (delivery.PullFromNeighbour && neighbour is not null)
            PullFrom(neighbour, store);
        if (delivery.RepairByRecovery)
            PullFrom(source, store);
        else
            Resend(source, store);
    }

    /// <summary>A recovery pull over an in-memory channel: the real RecoveryClient against the real RecoveryServer.</summary>
    private static void PullFrom(StoreClass source, StoreClass store)
    {
        using var cts = new CancellationTokenSource(T);
        var (client, server) = PeerChannel.CreatePair();
        var serving = new RecoveryServer(source).ServeAsync(server, cts.Token);
        new RecoveryClient(store, client).PullAsync(cts.Token).GetAwaiter().GetResult();
        serving.GetAwaiter().GetResult();
        client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A sender resuming after a broken link: each origin's log from what the store acknowledged.</summary>
    private static void Resend(StoreClass source, StoreClass store)
    {
        foreach (var (origin, _) in source.VersionVector().Where(kv => kv.Key != source.PeerId))
        {
            var after = store.VersionVector().GetValueOrDefault(origin);
            var slice = source.ReadOps(origin, after, 1000);
            if (slice.Ops.Count > 0) store.ApplyRemote(slice.Ops, [new OpRange(origin, after, slice.Through)]);
        }
    }

    private static void AssertSameAsExpected(LwwScenario scenario, StoreClass source, List<StoreClass> stores)
    {
        var expected = Describe(scenario.Expected().Values);
        var collection = $"{LwwScenario.Scope}/{LwwScenario.Section}";
        var digests = source.WithDigests(d => (d.Collections()[collection], d.Children(collection, 0, 0)));
        var logs = scenario.Origins.ToDictionary(o => o, o => (long)scenario.Ops.Count(op => op.Origin == o));
        foreach (var (store, name) in stores.Select((s, i) => (s, $"peer{i}")).Prepend((source, "source")))
        {
            Assert.True(expected.SequenceEqual(Describe(store.Scan())),
                $"{name} holds [{string.Join(", ", Describe(store.Scan()))}], expected [{string.Join(", ", expected)}]");
            var mine = store.WithDigests(d => (d.Collections()[collection], d.Children(collection, 0, 0)));
            Assert.True(mine.Item1 == digests.Item1 && mine.Item2.SequenceEqual(digests.Item2), $"{name}'s digests differ from the source's");
            foreach (var (origin, seq) in logs)
                Assert.True(store.VersionVector().GetValueOrDefault(origin) == seq, $"{name} holds {origin} up to {store.VersionVector().GetValueOrDefault(origin)}, not {seq}");
        }
    }

    private static List<string> Describe(IEnumerable<StoredRecord> records) =>
        records.OrderBy(r => r.Id, StringComparer.Ordinal).Select(r => $"{r.Id}={r.Value ?? "deleted"}@{r.Version}").ToList();
}
