using System.Diagnostics;
using Appliance.Tests.Harness;
using Appliance.Tests.NetworkTests;
using Xunit.Abstractions;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// A stranger on the switch holds 32 unfinished handshakes open to each cluster port of both
/// peers, from 8 addresses: 4 each, so together they fill the slots that unlisted addresses share
/// (TransportOptions). They never take the room a listed peer needs: a peer that is killed and
/// started again is Active with the other within 3 s of starting (its API answering).
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class HandshakeSlotFaultTests(ITestOutputHelper output)
{
    private const int StalledPerPort = 32;
    private const int StrangerAddresses = 8;
    private static readonly TimeSpan RejoinBound = TimeSpan.FromSeconds(3);
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 180_000)]
    public async Task A_restarted_peer_rejoins_within_3_s_while_a_stranger_stalls_32_handshakes_per_port()
    {
        var mk = NetworkTestLog.Marker();
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, $"key-{mk}-Cluster!", NetworkTestLog.FormTimeout);
        var (p1, p2) = (cluster[0], cluster[1]);

        // Added after forming, so no peer lists it.
        var strangerHost = await cluster.Network.AddHostAsync("x9");
        using var client = new RawClient(strangerHost);
        var sources = Enumerable.Range(101, StrangerAddresses).Select(n => $"{TestNetwork.Subnet}.{n}").ToList();
        foreach (var source in sources)
            await HostCommand.Ip("-n", strangerHost.Namespace, "addr", "add", $"{source}/{TestNetwork.PrefixLength}", "dev", strangerHost.Interface);
        var targets = cluster.Peers.SelectMany(p => TestCluster.ClusterPorts.Select(port => (p.Host.Address, port))).ToList();
        await using var stranger = new StallingStranger(client, sources, targets, StalledPerPort);
        var eventsBefore = p1.EventLog().Count;
        stranger.Start();
        // The attack is real only once the stranger holds every slot that unlisted addresses share.
        var shared = targets.Count * new Appliance.Daemon.Cluster.Transport.TransportOptions().MaxPendingHandshakes;
        await Eventually.UntilAsync($"the stranger to hold {shared} connections", () => Task.FromResult(stranger.Open),
            open => open >= shared, TimeSpan.FromSeconds(15));
        _log.Write($"stranger before the restart: {stranger}");

        await p2.KillAsync();
        var launched = Stopwatch.StartNew();
        await p2.StartAsync();
        var ready = launched.Elapsed;
        var started = Stopwatch.StartNew();
        await Eventually.UntilAsync("p2 to see p1 Active", () => p2.Api.PeerStatusAsync(),
            s => s.TryGetValue(p1.Host.Address, out var status) && status.StartsWith("Active as ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(50));
        var rejoined = started.Elapsed;
        _log.Write($"p2 answered its API {ready.TotalSeconds:0.00} s after launch and saw p1 Active " +
            $"{rejoined.TotalSeconds:0.00} s after that; stranger: {stranger}");
        Assert.True(rejoined < RejoinBound,
            $"p2 saw p1 Active {rejoined.TotalSeconds:0.0} s after starting (bound {RejoinBound.TotalSeconds:0} s) with a stranger stalling handshakes");
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(10));

        // Refusals of the stranger are logged rate-limited: a few lines per 30 s, not one per connection.
        var strangerLines = p1.EventLog().Skip(eventsBefore).Count(l => sources.Any(s => l.Contains($"{s}:", StringComparison.Ordinal)));
        _log.Write($"p1 event log: {strangerLines} lines name the stranger, whose connections were closed {stranger.ClosedByPeer} times");
        Assert.True(strangerLines <= 30, $"{strangerLines} event log lines name the stranger");
    }
}
