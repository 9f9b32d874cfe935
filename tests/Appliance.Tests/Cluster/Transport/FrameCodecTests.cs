using System.Buffers.Binary;
using System.Net;
using Appliance.Daemon.Cluster.Transport;

namespace Appliance.Tests.Cluster.Transport;

public class FrameCodecTests
{
    private static readonly TimeSpan Unexpected = TimeSpan.FromSeconds(10);

    private static Task<Frame?> Read(byte[] bytes, int max = 1024, FrameCodec.Phase phase = FrameCodec.Phase.Application) =>
        FrameCodec.ReadAsync(new MemoryStream(bytes), max, phase, CancellationToken.None).AsTask().WaitAsync(Unexpected);

    private static byte[] Header(uint length, byte type)
    {
        var header = new byte[FrameCodec.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);
        header[4] = type;
        return header;
    }

    [Fact]
    public async Task RoundTrip_PreservesTypeAndPayload_InOrder()
    {
        var stream = new MemoryStream();
        var big = new byte[200_000];
        new Random(7).NextBytes(big);
        await FrameCodec.WriteAsync(stream, FrameType.OpBatch, big, CancellationToken.None).AsTask().WaitAsync(Unexpected);
        await FrameCodec.WriteAsync(stream, FrameType.Heartbeat, ReadOnlyMemory<byte>.Empty, CancellationToken.None).AsTask().WaitAsync(Unexpected);
        await FrameCodec.WriteAsync(stream, FrameType.Goodbye, "bye"u8.ToArray(), CancellationToken.None).AsTask().WaitAsync(Unexpected);
        stream.Position = 0;

        var first = await FrameCodec.ReadAsync(stream, 1 << 20, FrameCodec.Phase.Application, CancellationToken.None);
        var second = await FrameCodec.ReadAsync(stream, 1 << 20, FrameCodec.Phase.Application, CancellationToken.None);
        var third = await FrameCodec.ReadAsync(stream, 1 << 20, FrameCodec.Phase.Application, CancellationToken.None);
        var end = await FrameCodec.ReadAsync(stream, 1 << 20, FrameCodec.Phase.Application, CancellationToken.None);

        Assert.Equal(FrameType.OpBatch, first!.Type);
        Assert.Equal(big, first.Payload.ToArray());
        Assert.Equal(FrameType.Heartbeat, second!.Type);
        Assert.True(second.Payload.IsEmpty);
        Assert.Equal(FrameType.Goodbye, third!.Type);
        Assert.Equal("bye"u8.ToArray(), third.Payload.ToArray());
        Assert.Null(end); // clean close between frames
    }

    [Fact]
    public void Encode_IsBigEndianLengthThenType()
    {
        Assert.Equal(new byte[] { 0, 0, 1, 2, FrameType.Ack }, FrameCodec.Encode(FrameType.Ack, new byte[258])[..5]);
    }

    [Fact]
    public async Task OversizedLengthPrefix_IsViolation_NamingSizeAndLimit()
    {
        // Only the header is sent: the check must come before any attempt to read 4 GiB.
        var e = await Assert.ThrowsAsync<ProtocolViolationException>(() => Read(Header(0xFFFF_FFF0, FrameType.OpBatch)));
        Assert.Contains("too large", e.Message);
        Assert.Contains("4294967280", e.Message);
        Assert.Contains("1024", e.Message);
    }

    [Fact]
    public async Task UnknownType_IsViolation_NamingTheType()
    {
        var e = await Assert.ThrowsAsync<ProtocolViolationException>(() => Read([.. Header(3, 0x9A), 1, 2, 3]));
        Assert.Contains("unknown frame type 0x9A", e.Message);
    }

    [Fact]
    public async Task TruncatedPayload_IsViolation()
    {
        var e = await Assert.ThrowsAsync<ProtocolViolationException>(() => Read([.. Header(10, FrameType.OpBatch), 1, 2, 3]));
        Assert.Contains("truncated frame", e.Message);
        Assert.Contains("declared 10", e.Message);
        Assert.Contains("after 3", e.Message);
    }

    [Fact]
    public async Task TruncatedHeader_IsViolation()
    {
        var e = await Assert.ThrowsAsync<ProtocolViolationException>(() => Read([0, 0, 1]));
        Assert.Contains("truncated frame header", e.Message);
    }

    [Fact]
    public async Task ProofFrameAfterAuthentication_IsViolation()
    {
        var e = await Assert.ThrowsAsync<ProtocolViolationException>(() => Read([.. Header(0, FrameType.ProofRejected)]));
        Assert.Contains("after the key proof", e.Message);
    }

    [Fact]
    public async Task ApplicationFrameBeforeAuthentication_IsViolation()
    {
        var e = await Assert.ThrowsAsync<ProtocolViolationException>(
            () => Read([.. Header(0, FrameType.OpBatch)], phase: FrameCodec.Phase.Handshake));
        Assert.Contains("before the key proof", e.Message);
    }

    [Fact]
    public async Task Channel_RejectsSendingProofTypesAndOversizedPayloads()
    {
        var (client, server) = PeerChannel.CreatePair(maxFrameSize: 1024);
        await using (client)
        await using (server)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(FrameType.ProofAccepted, default, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(0x9A, default, CancellationToken.None));
            var e = await Assert.ThrowsAsync<ArgumentException>(() => client.SendAsync(FrameType.OpBatch, new byte[1025], CancellationToken.None));
            Assert.Contains("exceeds the limit of 1024", e.Message);
        }
    }

    [Fact]
    public async Task Channel_ViolationIsLoggedOnce_AndThrown()
    {
        var log = new List<string>();
        var (client, server) = PeerChannel.CreatePair(log: l => { lock (log) log.Add(l); });
        await using (client)
        await using (server)
        {
            await client.StreamForTesting.WriteAsync(Header(0, 0x9A)).AsTask().WaitAsync(Unexpected);
            await client.StreamForTesting.FlushAsync().WaitAsync(Unexpected);
            await Assert.ThrowsAsync<ProtocolViolationException>(() => server.ReceiveAsync(CancellationToken.None).AsTask().WaitAsync(Unexpected));
            Assert.Single(log);
            Assert.Contains("unknown frame type 0x9A", log[0]);
        }
    }

    [Fact]
    public async Task Channel_ConcurrentSends_KeepFramesWhole()
    {
        var (client, server) = PeerChannel.CreatePair();
        await using (client)
        await using (server)
        {
            var sends = Enumerable.Range(0, 50).Select(i =>
                Task.Run(() => client.SendAsync(FrameType.OpBatch, Enumerable.Repeat((byte)i, 10_000).ToArray(), CancellationToken.None)));
            var receive = Task.Run(async () =>
            {
                var seen = new HashSet<byte>();
                for (var i = 0; i < 50; i++)
                {
                    var frame = await server.ReceiveAsync(CancellationToken.None);
                    Assert.Equal(10_000, frame!.Payload.Length);
                    Assert.All(frame.Payload.ToArray(), b => Assert.Equal(frame.Payload.Span[0], b));
                    seen.Add(frame.Payload.Span[0]);
                }
                return seen.Count;
            });
            await Task.WhenAll(sends).WaitAsync(Unexpected);
            Assert.Equal(50, await receive.WaitAsync(Unexpected));
        }
    }
}
