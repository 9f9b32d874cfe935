using System.Text;
using Appliance.Daemon.Cluster.Transport;
using Nerdbank.Streams;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

public class KeyProofTests(ITestOutputHelper output) : TransportTestBase(output)
{
    [Fact]
    public async Task SameKey_InMemoryPair_AuthenticatesAndExchangesFrames()
    {
        var (client, server) = await PeerChannel.CreateAuthenticatedPairAsync(Secret(), Secret(), Ct).WaitAsync(Unexpected);
        await using (client)
        await using (server)
        {
            Assert.Equal(CertificateHash.Of(null), client.RemoteCertificateHash);
            await client.SendAsync(FrameType.Hello, "ping"u8.ToArray(), Ct).WaitAsync(Unexpected);
            var frame = await server.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected);
            Assert.Equal(FrameType.Hello, frame!.Type);
            Assert.Equal("ping"u8.ToArray(), frame.Payload.ToArray());

            await server.SendAsync(FrameType.HelloReply, "pong"u8.ToArray(), Ct).WaitAsync(Unexpected);
            Assert.Equal("pong"u8.ToArray(), (await client.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected))!.Payload.ToArray());
        }
    }

    [Fact]
    public async Task WrongKey_BothSidesGetKeyMismatch_AndOnlyProofFramesCrossTheWire()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var clientWire = new RecordingStream(a);
        var serverWire = new RecordingStream(b);
        var client = PeerChannel.AuthenticateAsync(clientWire, true, Secret(Key), null, null, 1024, Log, Ct);
        var server = PeerChannel.AuthenticateAsync(serverWire, false, Secret(OtherKey), null, null, 1024, Log, Ct);

        var clientError = await Assert.ThrowsAsync<KeyMismatchException>(() => client.WaitAsync(Unexpected));
        var serverError = await Assert.ThrowsAsync<KeyMismatchException>(() => server.WaitAsync(Unexpected));
        Assert.StartsWith("Key mismatch", clientError.Message);
        Assert.StartsWith("Key mismatch", serverError.Message);

        foreach (var wire in new[] { clientWire.WrittenBytes, serverWire.WrittenBytes })
        {
            var types = await FrameTypesAsync(wire);
            Assert.Equal([FrameType.ProofNonce, FrameType.Proof, FrameType.ProofRejected], types);
        }
        // Everything written was read by the other side: nothing was left unread to reset the close.
        Assert.Equal(clientWire.WrittenBytes, serverWire.ReadBytes);
        Assert.Equal(serverWire.WrittenBytes, clientWire.ReadBytes);
    }

    [Fact]
    public async Task DifferentClusterIdSalt_IsKeyMismatch()
    {
        var e = await Assert.ThrowsAsync<KeyMismatchException>(() =>
            PeerChannel.CreateAuthenticatedPairAsync(ClusterSecret.Derive(Key, "cluster-a"), ClusterSecret.Derive(Key, "cluster-b"), Ct)
                .WaitAsync(Unexpected));
        Assert.StartsWith("Key mismatch", e.Message);
    }

    [Fact]
    public async Task NeitherKeyNorDerivedKey_AppearsInTheHandshakeBytes()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var clientWire = new RecordingStream(a);
        var client = PeerChannel.AuthenticateAsync(clientWire, true, Secret(), null, null, 1024, Log, Ct);
        var server = PeerChannel.AuthenticateAsync(b, false, Secret(), null, null, 1024, Log, Ct);
        await Task.WhenAll(client, server).WaitAsync(Unexpected);

        var wire = clientWire.WrittenBytes.Concat(clientWire.ReadBytes).ToArray();
        Assert.NotEmpty(wire);
        Assert.False(RecordingStream.Contains(wire, Encoding.UTF8.GetBytes(Key)));
        Assert.False(RecordingStream.Contains(wire, Secret().DerivedKey[..8]));
        await (await client).DisposeAsync();
        await (await server).DisposeAsync();
    }

    [Fact]
    public void ClientAndServerProofsDiffer_SoAProofCannotBeReflected()
    {
        var nonceA = new byte[32];
        var nonceB = Enumerable.Repeat((byte)1, 32).ToArray();
        var hash = CertificateHash.Of(null);
        var asClient = KeyProof.Compute(Secret().DerivedKey, true, nonceA, nonceB, hash, hash);
        var asServer = KeyProof.Compute(Secret().DerivedKey, false, nonceA, nonceB, hash, hash);
        Assert.NotEqual(asClient, asServer);
    }

    [Fact]
    public void Derive_IsCachedPerKeyAndSalt()
    {
        Assert.Same(ClusterSecret.Derive(Key), ClusterSecret.Derive(Key));
        Assert.NotSame(ClusterSecret.Derive(Key), ClusterSecret.Derive(Key, "cluster-a"));
        Assert.Throws<ArgumentException>(() => ClusterSecret.Derive(""));
        Assert.NotNull(ClusterSecret.WeakKeyWarning("secret"));
        Assert.Null(ClusterSecret.WeakKeyWarning(Key));
    }

    private static async Task<List<byte>> FrameTypesAsync(byte[] wire)
    {
        var stream = new MemoryStream(wire);
        var types = new List<byte>();
        while (await FrameCodec.ReadAsync(stream, 64, FrameCodec.Phase.Handshake, CancellationToken.None) is { } frame)
            types.Add(frame.Type);
        return types;
    }
}
