using System.Diagnostics;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>
/// The heartbeats of an idle pair, on the wire: each connection's dialer beats twice a second and
/// the acceptor answers one beat in four while the peer's own connection brings its beats (issue
/// 19: the answers were half of an idle daemon's frames); a fault in one direction only still takes
/// the link down on both sides within seconds, and it heals; a connection whose answers are lost
/// while the peer's own connection lives is dropped and dialled again.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class HeartbeatTests(ITestOutputHelper output)
{
    private const int StreamPort = 4372;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 120_000)]
    public async Task An_idle_link_answers_one_beat_in_four_and_still_beats_twice_a_second()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);
        await Task.Delay(TimeSpan.FromSeconds(5)); // the formation's own acks and the first beats, all answered, are over
        await using var capture = await Capture.StartAsync(cluster.Network.SwitchNamespace, cluster.Network.Bridge);
        await Task.Delay(Window);
        await capture.StopAsync();

        // Every TLS record of an idle stream is one frame in one segment (no Nagle): segments with data.
        var byConnection = capture.Packets
            .Where(p => p.IsTcp && p.Payload.Length > 0 && (p.SourcePort == StreamPort || p.DestinationPort == StreamPort))
            .GroupBy(p => p.DestinationPort == StreamPort ? $"{p.Source}:{p.SourcePort}" : $"{p.Destination}:{p.DestinationPort}")
            .ToList();
        Assert.Equal(2, byConnection.Count); // one stream each way of the pair
        foreach (var connection in byConnection)
        {
            var beats = connection.Count(p => p.DestinationPort == StreamPort);
            var answers = connection.Count(p => p.SourcePort == StreamPort);
            _log.Write($"{connection.Key} -> {StreamPort}: {beats} beats, {answers} answers in {Window.TotalSeconds:0} s");
            Assert.InRange(beats, 15, 30); // the window is 10 s and a little more
            Assert.InRange(answers, 1, 9); // one in four of ~20; every beat answered was ~20
        }
    }

    [RootFact(Timeout = 120_000)]
    public async Task A_one_way_fault_takes_the_link_down_on_both_sides_and_it_heals()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);
        var (a, b) = (cluster.Network.Hosts[0], cluster.Network.Hosts[1]);

        // a's packets to b are lost; b's still reach a (and a's connection from b stays up at first).
        var cut = Stopwatch.StartNew();
        await cluster.Faults.CutOneWayAsync(a, b);
        await cluster.WaitStatusAsync(s => s.StartsWith("Unreachable", StringComparison.Ordinal), "Unreachable", TimeSpan.FromSeconds(10));
        _log.Write($"both sides see the other unreachable {cut.Elapsed.TotalSeconds:0.0} s after the one-way cut");
        // The alarm follows the dialer's first failed attempt after the link ended (a's connect times out).
        foreach (var (peer, other) in new[] { (cluster[0], b), (cluster[1], a) })
            await Eventually.UntilAsync($"{peer.Host.Name}'s alarm for {other.Name}", () => peer.Api.ActiveAlarmsAsync(),
                ids => ids.Contains($"peer-unreachable:{other.Address}"), TimeSpan.FromSeconds(15));

        await cluster.Faults.RestoreOneWayAsync(a, b);
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(15));
        await TestCluster.AddConferenceAsync(cluster[0], $"healed-{marker}", 2);
        await Eventually.UntilAsync("the write after the heal, on p2", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"healed-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [RootFact(Timeout = 120_000)]
    public async Task A_connection_whose_answers_are_lost_is_dropped_while_the_peers_other_connection_lives()
    {
        var marker = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{marker}-Cluster!", NetworkTestLog.FormTimeout);
        var (a, b) = (cluster.Network.Hosts[0], cluster.Network.Hosts[1]);
        const string Dropped = "has not answered on our connection";

        // b's packets on a's stream connection (those from b's 4372) are lost, nothing else: b still
        // hears a, and b's own connection brings b's beats to a, so a never finds b silent. Only
        // a's own connection, which brings nothing back, tells a that its stream is dead.
        var cut = Stopwatch.StartNew();
        await cluster.Faults.CutOneWayAsync(b, a, $"tcp sport {StreamPort}");
        await Eventually.UntilAsync($"'{Dropped}' in {a.Name}'s event log", () => Task.FromResult(cluster[0].EventLog()),
            log => log.Any(l => l.Contains(Dropped, StringComparison.Ordinal)), TimeSpan.FromSeconds(12));
        _log.Write($"{a.Name} dropped its connection {cut.Elapsed.TotalSeconds:0.0} s after its answers were cut");
        Assert.False(cluster[0].EventLog().Any(l => l.Contains("silent for", StringComparison.Ordinal)), "a found b silent: b's own connection should have kept b heard");
        // a's stream to b is down, and dialling again fails while the cut lasts (b's SYN-ACK is lost too).
        Assert.Equal("Not active yet", (await cluster[0].Api.PeerStatusAsync())[b.Address]);

        await cluster.Faults.RestoreOneWayAsync(b, a);
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(15));
        await TestCluster.AddConferenceAsync(cluster[0], $"redialled-{marker}", 2);
        await Eventually.UntilAsync("a's write after the heal, on b", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"redialled-{marker}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }
}
