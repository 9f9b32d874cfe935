using System.Diagnostics;
using Appliance.Tests.Harness;
using Appliance.Tests.NetworkTests;
using Xunit.Abstractions;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// A seeded random schedule over 3 peers: partitions, heals, SIGKILLs, restarts, with writes on
/// every running peer after each step; then everything heals and every peer must agree and hold
/// every acknowledged write. APPLIANCE_FAULT_SEED replays a run (the seed is printed at the start
/// and in the failure); APPLIANCE_FAULT_STEPS sets the length (default 12).
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class RandomScheduleFaultTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 240_000)]
    public async Task A_random_schedule_of_partitions_and_crashes_ends_with_every_peer_agreeing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("APPLIANCE_FAULT_SEED"), out var s) ? s : Random.Shared.Next();
        var steps = int.TryParse(Environment.GetEnvironmentVariable("APPLIANCE_FAULT_STEPS"), out var n) && n > 0 ? n : 12;
        _log.Write($"fault schedule: APPLIANCE_FAULT_SEED={seed} APPLIANCE_FAULT_STEPS={steps}");
        Console.Error.WriteLine($"fault schedule: APPLIANCE_FAULT_SEED={seed} APPLIANCE_FAULT_STEPS={steps}");
        try
        {
            await RunAsync(seed, steps);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"fault schedule failed; replay with APPLIANCE_FAULT_SEED={seed} APPLIANCE_FAULT_STEPS={steps}\n{e}");
        }
    }

    private async Task RunAsync(int seed, int steps)
    {
        var random = new Random(seed);
        var mk = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(3, _log.Write, $"key-{mk}-Cluster!", NetworkTestLog.FormTimeout);
        var ledger = new AckLedger();
        var cuts = new HashSet<(int, int)>();
        var down = new HashSet<int>();
        var writes = 0;
        var clock = Stopwatch.StartNew();

        for (var step = 1; step <= steps; step++)
        {
            // Pick among the actions that apply now, so most steps change the topology.
            var (a, b) = Pair(random);
            var options = new List<string>();
            if (!cuts.Contains((a, b))) options.Add("cut");
            if (cuts.Count > 0) options.Add("heal");
            if (down.Count < 2 && !down.Contains(a)) options.Add("kill");
            if (down.Count > 0) options.Add("restart");
            options.Add("writes");
            string did;
            switch (options[random.Next(options.Count)])
            {
                case "cut":
                    await cluster.Faults.CutAsync(cluster[a].Host, cluster[b].Host);
                    cuts.Add((a, b));
                    did = $"cut p{a + 1}<->p{b + 1}";
                    break;
                case "heal":
                    var (x, y) = cuts.Order().ElementAt(random.Next(cuts.Count)); // sorted: a tuple's hash is seeded per process
                    await cluster.Faults.RestoreAsync(cluster[x].Host, cluster[y].Host);
                    cuts.Remove((x, y));
                    did = $"heal p{x + 1}<->p{y + 1}";
                    break;
                case "kill":
                    await cluster[a].KillAsync();
                    down.Add(a);
                    did = $"kill p{a + 1}";
                    break;
                case "restart":
                    var r = down.Order().ElementAt(random.Next(down.Count));
                    await cluster[r].StartAsync();
                    down.Remove(r);
                    did = $"restart p{r + 1}";
                    break;
                default:
                    did = "writes only";
                    break;
            }

            // A few writes on every running peer, interleaved, and a pause of random length.
            var running = Enumerable.Range(0, 3).Where(i => !down.Contains(i)).ToList();
            var count = random.Next(1, 4);
            foreach (var i in running)
            {
                for (var k = 0; k < count; k++, writes++)
                    await ledger.AddAsync(cluster[i], $"s{step}-p{i + 1}-{k}-{mk}", random.Next(100));
            }
            await Task.Delay(random.Next(200, 1500));
            _log.Write($"step {step}/{steps}: {did}; {count} writes on each of {running.Count} running peers " +
                $"(cuts: {string.Join(" ", cuts.Select(c => $"p{c.Item1 + 1}-p{c.Item2 + 1}"))}; down: {string.Join(" ", down.Select(d => $"p{d + 1}"))})");
        }

        _log.Write($"schedule done in {clock.Elapsed.TotalSeconds:0.0} s: {ledger.Acknowledged} acknowledged of {writes} writes; healing everything");
        await cluster.Faults.RestoreAllAsync();
        foreach (var i in down) await cluster[i].StartAsync();
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(30));
        var held = await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(30), _log.Write);
        ledger.AssertSurvived(held);
        var sums = await Task.WhenAll(cluster.Peers.Select(FaultChecks.OwnChecksumsAsync));
        Assert.All(sums, sum => Assert.Equal(sums[0], sum));
    }

    private static (int, int) Pair(Random random)
    {
        var a = random.Next(3);
        var b = (a + 1 + random.Next(2)) % 3;
        return (Math.Min(a, b), Math.Max(a, b));
    }
}
