using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Cluster;
using Appliance.Daemon.Cluster.Recovery;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Bench;

/// <summary>
/// Anti-entropy on 4371 with in-process peers (DESIGN.md 8): 10,000 divergent records per side
/// converging after a heal, and a no-difference check over 100,000 records.
/// </summary>
internal static class RecoveryBench
{
    private const int Divergent = 10_000;
    private const int NoDiffRecords = 100_000;

    /// <summary>
    /// A and B each write 10,000 records while the other is down; timed from starting the second
    /// peer until both hold identical data. Each side's log holds exactly what the other lacks, so
    /// the heal streams it (4372); the recovery check after the link comes up then finds no
    /// difference. Bytes are every frame both ways on 4371 and 4372 (before TLS).
    /// </summary>
    public static async Task DivergentAsync()
    {
        await using var c = new RecoveryCluster(2);
        await FormAsync(c);
        await c.StopAsync(1);
        RecoveryCluster.WriteConferences(c[0].Store, "div-a", Divergent);
        await c.StopAsync(0);
        await c.StartAsync(1, store => RecoveryCluster.WriteConferences(store, "div-b", Divergent));
        c.ResetRecoveryBytes();
        var framedBefore = PeerChannel.FramedBytesSent;
        var start = Stopwatch.GetTimestamp();
        await c.StartAsync(0);
        var started = Stopwatch.GetTimestamp();
        await Bench.WaitUntilAsync(() => c.Conferences(0).Count >= 2 * Divergent && c.SameData(0, 1), TimeSpan.FromSeconds(120),
            () => $"both peers holding {2 * Divergent} records (have {c.Conferences(0).Count} and {c.Conferences(1).Count})");
        var done = Stopwatch.GetTimestamp();
        var framed = PeerChannel.FramedBytesSent - framedBefore;
        var seconds = Stopwatch.GetElapsedTime(start, done).TotalSeconds;
        Console.WriteLine($"{Divergent} divergent records per side: identical {seconds:0.000} s after starting the healed peer " +
            $"(its start took {Bench.Ms(start, started):0} ms); {framed} frame bytes both ways on 4371+4372, {c.RecoveryBytes} of them in recovery pulls");
        Bench.Report("recovery-divergent", new JsonObject
        {
            ["seconds"] = Bench.Round(seconds),
            ["bytes"] = framed,
            ["recovery_pull_bytes"] = c.RecoveryBytes,
            ["records_per_side"] = Divergent,
            ["start_ms"] = Math.Round(Bench.Ms(start, started)),
            ["target_met"] = seconds < 2,
        });
    }

    /// <summary>
    /// 100,000 records replicated to both peers, then recovery pulls that find nothing to do:
    /// timed on an open, authenticated 4371 channel (the check itself) and with the connection
    /// set-up (TLS and the key proof, whose KDF is deliberately slow) as `cluster verify` pays it.
    /// </summary>
    public static async Task NoDiffAsync()
    {
        await using var c = new RecoveryCluster(2);
        await FormAsync(c);
        RecoveryCluster.WriteConferences(c[0].Store, "nodiff", NoDiffRecords);
        await Bench.WaitUntilAsync(() => c.SameData(0, 1), TimeSpan.FromSeconds(180),
            () => $"{NoDiffRecords} records replicated (peer 2 has {c.Conferences(1).Count})", pollMs: 20);

        var checks = new List<double>();
        var withConnect = new List<double>();
        long bytes = 0;
        for (var run = 0; run < 5; run++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await using var channel = await ConnectRecoveryAsync(c, 0);
            var t1 = Stopwatch.GetTimestamp();
            var result = await new RecoveryClient(c[0].Store, channel).PullAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var t2 = Stopwatch.GetTimestamp();
            if (result.RecordsReceived != 0 || result.Differing.Count != 0)
                throw new InvalidOperationException($"no-difference check found differences: {string.Join(", ", result.Differing)}");
            checks.Add(Bench.Ms(t1, t2));
            withConnect.Add(Bench.Ms(t0, t2));
            bytes = result.BytesSent + result.BytesReceived;
        }
        var ms = Bench.Percentile(checks, 50);
        Console.WriteLine($"no-difference check over {NoDiffRecords} records: {ms:0.00} ms (p50 of 5) on an open channel, " +
            $"{Bench.Percentile(withConnect, 50):0} ms with TLS + key proof; {bytes} payload bytes");
        Bench.Report("recovery-nodiff", new JsonObject
        {
            ["ms"] = Bench.Round(ms, 2),
            ["bytes"] = bytes,
            ["records"] = NoDiffRecords,
            ["ms_with_connect"] = Math.Round(Bench.Percentile(withConnect, 50)),
            ["target_met"] = ms < 200 && bytes < 64 * 1024,
        });
    }

    /// <summary>A 4371 session from peer <paramref name="from"/> to the other, as ClusterService opens one: TLS, key proof, Hellos.</summary>
    internal static async Task<PeerChannel> ConnectRecoveryAsync(RecoveryCluster c, int from)
    {
        var node = c[from];
        var other = 1 - from;
        var transport = new TlsTransport(() => node.Cluster.Certificate, node.Cluster.Credentials);
        var port = c.RecoveryPort;
        var channel = await transport.ConnectAsync(new IPEndPoint(IPAddress.Parse(c.Addresses[other]), port), CancellationToken.None,
            IPAddress.Parse(c.Addresses[from]));
        await channel.SendAsync(FrameType.Hello, node.Cluster.LocalHello().Encode(), CancellationToken.None);
        var answer = await channel.ReceiveAsync(CancellationToken.None) ?? throw new IOException("recovery peer closed before answering Hello");
        if (answer.Type != FrameType.HelloReply) throw new InvalidOperationException($"recovery Hello refused: {FrameType.Describe(answer.Type)}");
        return channel;
    }

    /// <summary>Both peers prepared and clustered, the vendor's way; waits until the link is Active.</summary>
    internal static async Task FormAsync(RecoveryCluster c)
    {
        for (var i = 0; i < c.Addresses.Count; i++)
        {
            await c.StartAsync(i);
            await c.PrepareAsync(i);
        }
        await c.SetPeersAsync(0, [c.Addresses[0]]);
        for (var i = 0; i < c.Addresses.Count; i++) await c.SetPeersAsync(i, c.Addresses);
        await Bench.WaitUntilAsync(() => Enumerable.Range(0, c.Addresses.Count).All(c.Active), TimeSpan.FromSeconds(30), "all links Active");
    }
}
