using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>Section 5: anything malformed on 4372/4371 closes that connection, is logged, and changes nothing.</summary>
public class MalformedFrameTests
{
    [Fact(Timeout = 150_000)]
    public async Task GarbageAndOversizedFrames_OnTheClusterPorts_ChangeNothing_AndThePeersStayActive()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "b1", ("address", "10.0.0.1"));
        await Eventually.WaitUntil(async () => (await c[1].Items("bridges")).ContainsKey("b1"), TimeSpan.FromSeconds(30), "bridge on p2");
        var before = (await c[0].ShowAll(), await c[1].ShowAll());
        var target = IPAddress.Parse(c.Address(0));

        var oversized = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(oversized, uint.MaxValue);
        oversized[4] = 0x01;
        var random = new byte[64 * 1024];
        new Random(4371).NextBytes(random);
        // A TLS record header claiming a huge handshake, then garbage.
        byte[] fakeTls = [0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x00, 0xff, 0xfc, .. random[..1024]];
        byte[][] payloads = [oversized, random, fakeTls, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), [0x00]];

        foreach (var port in new[] { 4372, 4371 })
        {
            foreach (var payload in payloads)
                await SendAndCloseAsync(new IPEndPoint(target, port), payload);
        }
        // And a burst of connections that open and say nothing, in parallel.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAndCloseAsync(new IPEndPoint(target, 4372), [])));

        Assert.True(c[0].Running, c[0].Tail());
        await c.WaitAllActiveAsync();
        Assert.Equal(before, (await c[0].ShowAll(), await c[1].ShowAll()));
        // Still replicating.
        await c[1].Add("bridges", "after-garbage", ("address", "10.0.0.9"));
        await Eventually.WaitUntil(async () => (await c[0].Items("bridges")).ContainsKey("after-garbage"), TimeSpan.FromSeconds(30), "replication after garbage");
    }

    private static async Task SendAndCloseAsync(IPEndPoint endPoint, byte[] payload)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(10));
        try
        {
            if (payload.Length > 0) await socket.SendAsync(payload).WaitAsync(TimeSpan.FromSeconds(10));
            // Read until the peer hangs up (or a short while passes): it must not wait for more.
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0) { }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { }
    }
}
