namespace Appliance.Bench;

/// <summary>`bench [name...]`: runs the named benchmarks (default all); each ends with one `BENCH {json}` line.</summary>
public static class Program
{
    private static readonly (string Name, Func<Task> Run)[] All =
    [
        ("startup", StartupBench.RunAsync),
        ("cli-roundtrip", CliRoundtripBench.RunAsync),
        ("api-cluster", ApiClusterBench.RunAsync),
        ("store-commit", StoreCommitBench.RunAsync),
        ("replication-latency", ReplicationLatencyBench.RunAsync),
        ("replication-throughput", ReplicationThroughputBench.RunAsync),
        ("failover", FailoverBench.RunAsync),
        ("backup", BackupBench.RunAsync),
        ("kdf", KdfBench.RunAsync),
        ("recovery-divergent", RecoveryBench.DivergentAsync),
        ("recovery-nodiff", RecoveryBench.NoDiffAsync),
        ("join", RecoveryJoinBench.JoinAsync),
        ("reconnect", RecoveryJoinBench.ReconnectAsync),
        ("tombstone-purge", PurgeBench.RunAsync),
        ("bridge-return", BridgeReturnBench.RunAsync),
        ("call-setup", CallSetupBench.RunAsync),
        ("call-rate", CallRateBench.RunAsync),
        ("bridge-death", BridgeDeathBench.RunAsync),
    ];

    public static async Task<int> Main(string[] args)
    {
        var unknown = args.Where(a => All.All(b => b.Name != a)).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"bench: unknown benchmark '{string.Join("', '", unknown)}'; known: {string.Join(' ', All.Select(b => b.Name))}");
            return 1;
        }
        Console.WriteLine($"{Environment.ProcessorCount} CPUs, load average {Bench.LoadAverage()} at start");
        var failed = 0;
        foreach (var (name, run) in All.Where(b => args.Length == 0 || args.Contains(b.Name)))
        {
            Console.WriteLine($"\n== {name}");
            try
            {
                await run();
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"bench {name} FAILED: {e}");
            }
        }
        return failed == 0 ? 0 : 2;
    }
}
