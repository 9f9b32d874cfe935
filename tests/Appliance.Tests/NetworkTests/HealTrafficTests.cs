using Appliance.Daemon.Cluster;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>
/// Issue 4: after a heal, the bytes the peers exchange on 4371 and 4372 grow with the difference
/// written during the partition, not with the store. Measured on the switch bridge from just
/// before the heal until both peers hold the same conferences and the recovery pull each peer
/// makes when the link is back has run.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class HealTrafficTests(ITestOutputHelper output)
{
    private const int StoreRecords = 5000;
    private const int Small = 20;
    private const int Large = 400;
    private const int OtherSide = 2;
    /// <summary>A record is ~200 bytes and crosses once or twice (op stream, perhaps a recovery pull) in a JSON frame.</summary>
    private const int MaxBytesPerRecord = 4096;
    private const int MinBytesPerRecord = 100;
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);
    private readonly NetworkTestLog _log = new(output);

    private sealed record Traffic(long Recovery, long Replication, int Connections)
    {
        public long Total => Recovery + Replication;
        public override string ToString() => $"{Total} B ({Replication} B on 4372, {Recovery} B on 4371, {Connections} new connections)";
    }

    [RootFact(Timeout = 240_000)]
    public async Task After_a_heal_the_peers_exchange_bytes_in_proportion_to_the_difference_not_to_the_store()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);

        // Fill p1's store while it is stopped (thousands of API calls would take minutes); the records replicate on 4372 when it returns.
        await cluster[0].StopAsync();
        var storeBytes = Support.StoreFill.Conferences(cluster[0].DataDir, $"bulk-{marker}", StoreRecords);
        var full = await MeasureAsync(cluster, () => cluster[0].StartAsync(), "the filled store on p2",
            async () => (await cluster[1].Api.ShowAsync("conferences"))["sections"]![0]!["items"]!.AsArray().Count == StoreRecords);
        _log.Write($"store: {StoreRecords} conferences, {storeBytes} B of records; replicating it whole took {full}");

        var small = await HealAsync(cluster, $"small-{marker}", Small);
        var large = await HealAsync(cluster, $"large-{marker}", Large);
        var slope = (double)(large.Total - small.Total) / (Large - Small);
        _log.Write($"heal with {Small}+{OtherSide} differing records: {small} = {(double)small.Total / storeBytes:P1} of the store");
        _log.Write($"heal with {Large}+{OtherSide} differing records: {large} = {(double)large.Total / storeBytes:P1} of the store");
        _log.Write($"{slope:0} B per further differing record; {(double)large.Total / (Large + OtherSide):0} B per differing record at k={Large}");

        Assert.True(small.Total < storeBytes / 10, $"a heal of {Small + OtherSide} records moved {small}, not < 10% of the {storeBytes} B store");
        Assert.True(large.Total < storeBytes / 2, $"a heal of {Large + OtherSide} records moved {large}, not < half the {storeBytes} B store");
        Assert.True(slope is >= MinBytesPerRecord and <= MaxBytesPerRecord,
            $"{slope:0} B per further differing record (expected {MinBytesPerRecord}..{MaxBytesPerRecord}): {small} for {Small}, {large} for {Large}");
        Assert.True(large.Total <= (Large + OtherSide) * MaxBytesPerRecord, $"{large} for {Large + OtherSide} records is more than {MaxBytesPerRecord} B each");

        var verify = await cluster[0].Api.CallAsync("cluster.verify");
        Assert.True((bool)verify["inSync"]!, $"cluster verify after the heals: {verify.ToJsonString()}");
    }

    /// <summary>Cuts the link, writes <paramref name="count"/> conferences on p1 and a few on p2, heals and measures until both agree.</summary>
    private async Task<Traffic> HealAsync(TestCluster cluster, string prefix, int count)
    {
        var (a, b) = (cluster.Network.Hosts[0], cluster.Network.Hosts[1]);
        // Each peer pulls from the other a few seconds after a link comes up. A pull still pending
        // when the link is cut starts during the cut, waits in TCP connect and runs the moment the
        // link heals, racing the stream: the difference then crosses on 4371 instead, and the two
        // heals are no longer measured alike. Let those pulls run before cutting.
        await Task.Delay(ClusterService.ConnectPullDelay + TimeSpan.FromSeconds(1));
        await cluster.Faults.CutAsync(a, b);
        // Both sides must have dropped their links, so the heal goes through new connections as after a real partition.
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(15));
        for (var i = 0; i < count; i++) await TestCluster.AddConferenceAsync(cluster[0], $"{prefix}-{i}", i % 50);
        for (var i = 0; i < OtherSide; i++) await TestCluster.AddConferenceAsync(cluster[1], $"{prefix}-other-{i}", i);
        var traffic = await MeasureAsync(cluster, () => cluster.Faults.RestoreAsync(a, b), $"both peers to hold the same conferences after {prefix}", async () =>
        {
            var (one, two) = (await TestCluster.ConferencesAsync(cluster[0]), await TestCluster.ConferencesAsync(cluster[1]));
            return one == two && one.Contains($"{prefix}-{count - 1}\"", StringComparison.Ordinal) && one.Contains($"{prefix}-other-{OtherSide - 1}\"", StringComparison.Ordinal);
        }, pulls: 2);
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(15));
        return traffic;
    }

    /// <summary>
    /// Captures from just before <paramref name="act"/> until <paramref name="done"/> holds and
    /// <paramref name="pulls"/> recovery sessions (4371) have run to their end; TCP payload
    /// between the peers on 4371 and 4372.
    /// </summary>
    private async Task<Traffic> MeasureAsync(TestCluster cluster, Func<Task> act, string what, Func<Task<bool>> done, int pulls = 0)
    {
        Traffic traffic;
        await using (var capture = await Capture.StartAsync(cluster.Network.SwitchNamespace, cluster.Network.Bridge))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await act();
            await Eventually.UntilAsync(what, done, ok => ok, Converge, TimeSpan.FromMilliseconds(250));
            _log.Write($"{what}: {watch.Elapsed.TotalSeconds:0.0} s");
            // Each peer pulls from the other a few seconds after the link is back (ClusterService.ConnectPullDelay).
            await Eventually.UntilAsync($"{pulls} finished recovery sessions after {what}", () => Task.FromResult(FinishedRecoverySessions(capture)),
                n => n >= pulls, Converge, TimeSpan.FromMilliseconds(250));
            _log.Write($"and {pulls} recovery pulls: {watch.Elapsed.TotalSeconds:0.0} s");
            await capture.StopAsync();
            traffic = Count(cluster, capture.Packets);
        }
        return traffic;
    }

    private static int FinishedRecoverySessions(Capture capture) =>
        capture.TcpConnections().Count(c => c.Server.Port == 4371 && c.SawSyn && c.ClientToServer.Finished && c.ServerToClient.Finished);

    /// <summary>Each captured segment once (the bridge may show a retransmission again), by port.</summary>
    private static Traffic Count(TestCluster cluster, IReadOnlyList<CapturedPacket> packets)
    {
        var between = packets.Where(p => p.IsTcp && NetworkTestLog.IsPeerAddress(cluster, p.Source) && NetworkTestLog.IsPeerAddress(cluster, p.Destination)).ToList();
        var segments = between.Where(p => p.Payload.Length > 0)
            .DistinctBy(p => (p.Source!.ToString(), p.SourcePort, p.DestinationPort, p.Sequence, p.Payload.Length)).ToList();
        long OnPort(int port) => segments.Where(p => p.SourcePort == port || p.DestinationPort == port).Sum(p => (long)p.Payload.Length);
        var connections = between.Count(p => p.Flags.HasFlag(TcpFlags.Syn) && !p.Flags.HasFlag(TcpFlags.Ack));
        return new Traffic(OnPort(4371), OnPort(4372), connections);
    }
}
