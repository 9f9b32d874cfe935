using System.Buffers.Binary;
using System.Security.Cryptography;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Tests.Harness;
using Appliance.Tests.NetworkTests;
using Xunit.Abstractions;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// Hostile input on 4371 and 4372 from a stranger on the test switch: random bytes, a truncated
/// TLS handshake, garbage after TLS, oversized length prefixes (before and after the key proof),
/// a replayed session and a flood of connections. The peer closes each, stays up, keeps
/// replicating, logs each kind, and its store does not change.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class BadInputFaultTests(ITestOutputHelper output)
{
    private const int FloodConnections = 200;
    private static readonly TimeSpan CloseBound = TimeSpan.FromSeconds(15);
    private readonly NetworkTestLog _log = new(output);

    [RootFact(Timeout = 180_000)]
    public async Task Hostile_clients_on_both_cluster_ports_are_closed_and_change_nothing()
    {
        var mk = NetworkTestLog.Marker();
        var key = $"key-{mk}-Cluster!";
        await using var cluster = await TestCluster.StartFormedAsync(2, _log.Write, key, NetworkTestLog.FormTimeout);
        var (p1, p2) = (cluster[0], cluster[1]);
        await TestCluster.AddConferenceAsync(p1, $"before-{mk}", 3);
        await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(20), _log.Write);
        // Each peer publishes its membership record on a turn of its cluster loop after forming: wait
        // for both, or the second one arriving would look like a change the attack made. The sums
        // list the section for both peers from the start, "(none)" for a record not there yet.
        var sumsBefore = await Eventually.UntilAsync("both membership records on p1", () => FaultChecks.OwnChecksumsAsync(p1),
            sums => sums.Split("/cluster-membership=").Length == 3 && !sums.Contains("/cluster-membership=(none)", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));

        // A stranger: a host on the switch that no peer lists, added after forming so it is in no peer list.
        var stranger = await cluster.Network.AddHostAsync("x9");
        using var client = new RawClient(stranger);
        var target = p1.Host.Address;
        var eventsBefore = p1.EventLog().Count;

        foreach (var port in TestCluster.ClusterPorts)
        {
            await Attack($"{port} random bytes", async () =>
            {
                using var socket = await client.ConnectAsync(target, port);
                await using var stream = new System.Net.Sockets.NetworkStream(socket);
                await stream.WriteAsync(RandomNumberGenerator.GetBytes(1024));
                return await RawClient.ClosedByPeerAsync(stream, CloseBound);
            });
            await Attack($"{port} truncated TLS handshake", async () =>
            {
                var hello = await ClientHelloAsync(client, target, port);
                using var socket = await client.ConnectAsync(target, port);
                await using var stream = new System.Net.Sockets.NetworkStream(socket);
                await stream.WriteAsync(hello.AsMemory(0, hello.Length / 2));
                socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                return await RawClient.ClosedByPeerAsync(stream, CloseBound);
            });
            await Attack($"{port} garbage after TLS with a self-signed certificate", async () =>
            {
                await using var ssl = await client.TlsAsync(target, port);
                await ssl.WriteAsync(RandomNumberGenerator.GetBytes(512));
                return await RawClient.ClosedByPeerAsync(ssl, CloseBound);
            });
            await Attack($"{port} oversized length prefix before the key proof", async () =>
            {
                await using var ssl = await client.TlsAsync(target, port);
                await ssl.WriteAsync(Header(0x7fff_fff0, FrameType.ProofNonce));
                return await RawClient.ClosedByPeerAsync(ssl, CloseBound);
            });
            await Attack($"{port} oversized length prefix after the key proof", async () =>
            {
                await using var ssl = await client.AuthenticatedAsync(target, port, key);
                await ssl.WriteAsync(Header(uint.MaxValue, FrameType.Hello));
                return await RawClient.ClosedByPeerAsync(ssl, CloseBound);
            });
            await Attack($"{port} unknown frame type after the key proof", async () =>
            {
                await using var ssl = await client.AuthenticatedAsync(target, port, key);
                await ssl.WriteAsync(Header(3, 0x66).Concat(new byte[3]).ToArray());
                return await RawClient.ClosedByPeerAsync(ssl, CloseBound);
            });
            await Attack($"{port} replayed client bytes of an authenticated session", async () =>
            {
                var recorded = new MemoryStream();
                await using (var real = await client.AuthenticatedAsync(target, port, key, recorded)) { }
                var bytes = recorded.ToArray();
                using var socket = await client.ConnectAsync(target, port);
                await using var stream = new System.Net.Sockets.NetworkStream(socket);
                await stream.WriteAsync(bytes);
                var closed = await RawClient.ClosedByPeerAsync(stream, CloseBound);
                return $"replayed {bytes.Length} bytes: {closed}";
            });
        }
        var perKind = Lines(p1, eventsBefore, stranger.Address);
        _log.Write($"event log lines naming {stranger.Address} after the single attacks ({perKind.Count}):\n{string.Join('\n', perKind)}");
        Assert.Contains(perKind, l => l.Contains("TLS failed", StringComparison.Ordinal));
        Assert.Contains(perKind, l => l.Contains("frame too large", StringComparison.Ordinal));
        Assert.Contains(perKind, l => l.Contains("unknown frame type", StringComparison.Ordinal));

        var floodStart = p1.EventLog().Count;
        var flood = await FloodAsync(client, target);
        var floodLines = Lines(p1, floodStart, stranger.Address);
        _log.Write($"flood: {FloodConnections} connections to {target}:4372 ({flood}); {floodLines.Count} event log lines name the stranger");
        if (floodLines.Count > FloodConnections / 10)
            _log.Write($"FINDING: {floodLines.Count} event log lines for {FloodConnections} hostile connections: refusals are logged once per connection, not rate-limited");
        // Refused connections are logged rate-limited: a flood must not flood the event log.
        Assert.True(floodLines.Count <= 20, $"{floodLines.Count} event log lines for {FloodConnections} connections");
        Assert.NotEmpty(floodLines);

        // Still up, still clustered, nothing stored, and replication still works.
        Assert.NotNull(p1.Pid);
        await cluster.WaitAllActiveAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(sumsBefore, await FaultChecks.OwnChecksumsAsync(p1));
        Assert.Equal(sumsBefore, await FaultChecks.OwnChecksumsAsync(p2));
        await TestCluster.AddConferenceAsync(p1, $"after-{mk}", 4);
        var held = await FaultChecks.WaitConvergedAsync(cluster.Peers, TimeSpan.FromSeconds(20), _log.Write);
        Assert.Equal("4", held[$"after-{mk}"]);
    }

    private async Task Attack(string what, Func<Task<string>> attack)
    {
        var outcome = await attack().WaitAsync(TimeSpan.FromSeconds(30));
        _log.Write($"{what}: {outcome}");
    }

    /// <summary>The first bytes a TLS client sends (its ClientHello), recorded from a real attempt.</summary>
    private static async Task<byte[]> ClientHelloAsync(RawClient client, string target, int port)
    {
        var recorded = new MemoryStream();
        try
        {
            await using var ssl = await client.TlsAsync(target, port, recorded);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException) { }
        var bytes = recorded.ToArray();
        var length = 5 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(3));
        Assert.Equal(0x16, bytes[0]); // a handshake record
        return bytes[..length];
    }

    private static byte[] Header(uint length, byte type)
    {
        var header = new byte[FrameCodec.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        header[4] = type;
        return header;
    }

    /// <summary>Connections opened in waves of 40, each sending a few random bytes and closing.</summary>
    private static async Task<string> FloodAsync(RawClient client, string target)
    {
        var (opened, refused) = (0, 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var wave = 0; wave < FloodConnections / 40; wave++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
            {
                try
                {
                    using var socket = await client.ConnectAsync(target, 4372);
                    await socket.SendAsync(RandomNumberGenerator.GetBytes(16));
                    return true;
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or TimeoutException) { return false; }
            })).WaitAsync(TimeSpan.FromSeconds(30));
            opened += results.Count(r => r);
            refused += results.Count(r => !r);
        }
        // Let the peer finish logging the refusals before they are counted.
        await Task.Delay(2000);
        return $"{opened} connected, {refused} refused, {clock.ElapsedMilliseconds} ms";
    }

    private static List<string> Lines(PeerProcess peer, int from, string address) =>
        peer.EventLog().Skip(from).Where(l => l.Contains(address, StringComparison.Ordinal)).ToList();
}
