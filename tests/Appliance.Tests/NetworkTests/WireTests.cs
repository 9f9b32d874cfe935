using System.Text;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.NetworkTests;

/// <summary>
/// What two real peers put on the wire while they form a cluster and replicate: captured on the
/// switch bridge from before the first packet, so every stream is seen from its SYN.
/// </summary>
[Collection(NetworkTestLog.Collection)]
public sealed class WireTests(ITestOutputHelper output)
{
    private readonly NetworkTestLog _log = new(output);

    private static bool IsPeer(System.Net.IPAddress? a) => a is not null && a.ToString() is "198.18.0.11" or "198.18.0.12";

    private sealed record Traffic(IReadOnlyList<CapturedPacket> Packets, IReadOnlyList<TcpConnection> Connections, string[] Secrets);

    /// <summary>Two peers form a cluster and replicate changes that carry a unique marker; returns all that crossed the bridge.</summary>
    private async Task<Traffic> CaptureReplicationAsync()
    {
        var marker = NetworkTestLog.Marker();
        var key = $"key-{marker}-Cluster!";
        var password = $"pw-{marker}-Admin!";
        var conference = $"conf-{marker}";
        var bridge = $"br-{marker}";
        await using var cluster = await TestCluster.CreateAsync(2, _log.Write);
        await using var capture = await Capture.StartAsync(cluster.Network.SwitchNamespace, cluster.Network.Bridge);
        await cluster.StartPeersAsync();
        await cluster.FormAsync(key);
        await cluster.WaitAllActiveAsync(NetworkTestLog.FormTimeout);
        await cluster[0].Api.SetAsync("admin.password", password);
        await TestCluster.AddConferenceAsync(cluster[0], conference, 3, bridge);
        await TestCluster.AddConferenceAsync(cluster[1], $"{conference}-b", 5, bridge);
        // Only p1's writes are awaited: p2's reach p1 through recovery, which ReplicationTests checks on its own.
        await Eventually.UntilAsync("p1's conference on p2", () => TestCluster.ConferencesAsync(cluster[1]),
            c => c.Contains($"\"{conference}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        try
        {
            await Eventually.UntilAsync("p2's conference on p1", () => TestCluster.ConferencesAsync(cluster[0]),
                c => c.Contains($"{conference}-b", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException e)
        {
            _log.Write($"note: {e.Message}");
        }
        // A few heartbeats more, so steady-state traffic is in the capture too.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await capture.StopAsync();
        var packets = capture.Packets;
        _log.Write($"captured {packets.Count} frames");
        return new Traffic(packets, capture.TcpConnections(), [key, password, conference, bridge, marker]);
    }

    [RootFact(Timeout = 180_000)]
    public async Task Peers_exchange_only_TCP_4371_and_4372()
    {
        var traffic = await CaptureReplicationAsync();

        var ipv4 = traffic.Packets.Where(p => p.IsIPv4).ToList();
        var peers = ipv4.Where(p => IsPeer(p.Source) || IsPeer(p.Destination)).ToList();
        var other = peers.Where(p => !(p.IsTcp && IsPeer(p.Source) && IsPeer(p.Destination)
            && (p.SourcePort is 4371 or 4372 || p.DestinationPort is 4371 or 4372))).ToList();
        foreach (var p in other.Take(20)) _log.Write($"unexpected: {p}");
        Assert.Empty(other);
        // The rest is the kernel's own link housekeeping (IGMP reports from 0.0.0.0 when an interface comes up).
        var housekeeping = ipv4.Except(peers).ToList();
        Assert.All(housekeeping, p => Assert.True(p.Kind == "IPv4 protocol 2" && p.Destination!.ToString().StartsWith("224.0.0.", StringComparison.Ordinal), $"neither from nor to a peer and not IGMP: {p}"));
        _log.Write($"ignored: {housekeeping.Count} IGMP frames");
        foreach (var kind in traffic.Packets.Where(p => !p.IsIPv4).GroupBy(p => p.Kind))
            _log.Write($"ignored: {kind.Count()} {kind.Key} frames");
        Assert.Contains(ipv4, p => p.DestinationPort == 4372 && p.Payload.Length > 0);
        _log.Write($"4372 frames: {ipv4.Count(p => p.SourcePort == 4372 || p.DestinationPort == 4372)}, 4371 frames: {ipv4.Count(p => p.SourcePort == 4371 || p.DestinationPort == 4371)}");
    }

    [RootFact(Timeout = 180_000)]
    public async Task Every_peer_stream_is_TLS_1_3_from_its_first_byte_and_no_secret_or_value_appears_in_clear()
    {
        var traffic = await CaptureReplicationAsync();

        var streams = traffic.Connections.Where(c => c.ClientToServer.Bytes.Length > 0 || c.ServerToClient.Bytes.Length > 0).ToList();
        Assert.NotEmpty(streams);
        foreach (var c in streams)
        {
            Assert.True(c.SawSyn, $"{c}: no SYN captured, so its first bytes are unknown");
            var client = TlsRecordChecker.Check(c.ClientToServer.Bytes, fromClient: true);
            var server = TlsRecordChecker.Check(c.ServerToClient.Bytes, fromClient: false);
            _log.Write($"{c}: client records {client.Describe()}; server records {server.Describe()}");
            Assert.True(client.IsValid, $"{c} client side: {string.Join("; ", client.Errors)}");
            Assert.True(server.IsValid, $"{c} server side: {string.Join("; ", server.Errors)}");
            Assert.Equal(TlsRecordChecker.Handshake, client.Records[0].Type);
            if (c.ServerToClient.Bytes.Length > 0)
            {
                Assert.Equal((ushort?)0x0304, server.ServerSelectedVersion);
                Assert.Empty(server.PlaintextAfterHello());
            }
            Assert.Empty(client.PlaintextAfterHello());
        }

        foreach (var secret in traffic.Secrets)
        {
            var needle = Encoding.UTF8.GetBytes(secret);
            Assert.DoesNotContain(traffic.Packets, p => p.Payload.AsSpan().IndexOf(needle) >= 0);
            Assert.DoesNotContain(streams, c => c.ClientToServer.Bytes.AsSpan().IndexOf(needle) >= 0 || c.ServerToClient.Bytes.AsSpan().IndexOf(needle) >= 0);
        }
    }
}
