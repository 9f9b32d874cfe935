using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Daemon.Crypto;
using Nerdbank.Streams;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

public class KeyProofTests(ITestOutputHelper output) : TransportTestBase(output)
{
    [Fact]
    public async Task SameKey_InMemoryPair_AuthenticatesAndExchangesFrames()
    {
        var (client, server) = await PeerChannel.CreateAuthenticatedPairAsync(Credentials(), Credentials(), Ct).WaitAsync(Unexpected);
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
    public async Task WrongKey_BothSidesGetKeyMismatch_AndTheAcceptorNeverSendsItsProof()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var clientWire = new RecordingStream(a);
        var serverWire = new RecordingStream(b);
        var client = PeerChannel.AuthenticateAsync(clientWire, true, Credentials(Key), null, null, 1024, Log, Ct);
        var server = PeerChannel.AuthenticateAsync(serverWire, false, Credentials(OtherKey), null, null, 1024, Log, Ct);

        var clientError = await Assert.ThrowsAsync<KeyMismatchException>(() => client.WaitAsync(Unexpected));
        var serverError = await Assert.ThrowsAsync<KeyMismatchException>(() => server.WaitAsync(Unexpected));
        Assert.StartsWith("Key mismatch", clientError.Message);
        Assert.StartsWith("Key mismatch", serverError.Message);

        Assert.Equal([FrameType.ProofNonce, FrameType.Proof], await FrameTypesAsync(clientWire.WrittenBytes));
        Assert.Equal([FrameType.ProofNonce, FrameType.ProofRejected], await FrameTypesAsync(serverWire.WrittenBytes));
        Assert.True(clientError.RejectedByPeer); // the acceptor checked first and said so
        Assert.False(serverError.RejectedByPeer);
        // Everything written was read by the other side: nothing was left unread to reset the close.
        Assert.Equal(clientWire.WrittenBytes, serverWire.ReadBytes);
        Assert.Equal(serverWire.WrittenBytes, clientWire.ReadBytes);
    }

    [Fact]
    public async Task SameKey_DifferentClusterIds_AreRefusedBeforeAnyProof_OnBothSides()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var clientWire = new RecordingStream(a);
        var serverWire = new RecordingStream(b);
        var client = PeerChannel.AuthenticateAsync(clientWire, true, Credentials(Key, "cluster-a"), null, null, 1024, Log, Ct);
        var server = PeerChannel.AuthenticateAsync(serverWire, false, Credentials(Key, "cluster-b"), null, null, 1024, Log, Ct);

        var clientError = await Assert.ThrowsAsync<ProofRefusedException>(() => client.WaitAsync(Unexpected));
        var serverError = await Assert.ThrowsAsync<ProofRefusedException>(() => server.WaitAsync(Unexpected));
        Assert.Equal((ProofRefusal.OtherCluster, "cluster-b"), (clientError.Refusal, clientError.Detail));
        Assert.Equal((ProofRefusal.OtherCluster, "cluster-a"), (serverError.Refusal, serverError.Detail));
        Assert.Equal([FrameType.ProofNonce], await FrameTypesAsync(clientWire.WrittenBytes));
        Assert.Equal([FrameType.ProofNonce], await FrameTypesAsync(serverWire.WrittenBytes));
        Assert.Equal(clientWire.WrittenBytes, serverWire.ReadBytes);
        Assert.Equal(serverWire.WrittenBytes, clientWire.ReadBytes);
    }

    [Theory]
    [InlineData(null, "cluster-a")] // a joiner dials a member (R9)
    [InlineData("cluster-a", null)] // a member dials a joiner
    [InlineData(null, null)] // neither has formed yet
    [InlineData("cluster-a", "cluster-a")]
    public async Task SameKey_ProvesWithTheOneClusterIdThatExists(string? dialerId, string? acceptorId)
    {
        var (client, server) = await PeerChannel.CreateAuthenticatedPairAsync(
            Credentials(Key, dialerId), Credentials(Key, acceptorId), Ct).WaitAsync(Unexpected);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task ADialerWithoutTheSecretForTheAnnouncedId_RefusesAndDerivesIt_InsteadOfKeepingTheAcceptorWaiting()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var id = $"joined-{Guid.NewGuid()}"; // never derived in this process
        var client = PeerChannel.AuthenticateAsync(a, true, new ClusterCredentials(Key, null), null, null, 1024, Log, Ct);

        // The acceptor, played by hand: the dialer's announcement (its version, nonce, no id), then ours.
        var announced = (await FrameCodec.ReadAsync(b, 128, FrameCodec.Phase.Handshake, Ct).AsTask().WaitAsync(Unexpected))!;
        Assert.Equal((FrameType.ProofNonce, 1 + KeyProof.NonceSize, (byte)ProtocolVersions.Current), (announced.Type, announced.Payload.Length, announced.Payload.Span[0]));
        await FrameCodec.WriteAsync(b, FrameType.ProofNonce, (byte[])[(byte)ProtocolVersions.Current, .. RandomNumberGenerator.GetBytes(KeyProof.NonceSize), .. Encoding.UTF8.GetBytes(id)], Ct);

        var e = await Assert.ThrowsAsync<ProofRefusedException>(() => client.WaitAsync(Unexpected));
        Assert.Equal((ProofRefusal.SecretNotReady, id), (e.Refusal, e.Detail));
        var refused = (await FrameCodec.ReadAsync(b, 128, FrameCodec.Phase.Handshake, Ct).AsTask().WaitAsync(Unexpected))!;
        Assert.Equal(FrameType.ProofRefused, refused.Type);
        Assert.Equal([2], refused.Payload.ToArray());
        await e.SecretReady!.WaitAsync(Unexpected);
        Assert.Same(await ClusterSecret.DeriveAsync(Key, id, Argon2Cost.Default), Secret(Key, id)); // cached for the next dial
    }

    [Fact]
    public async Task AnAcceptorTold_SecretNotReady_StopsWithoutAProof()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var serverWire = new RecordingStream(b);
        var server = PeerChannel.AuthenticateAsync(serverWire, false, Credentials(), null, null, 1024, Log, Ct);
        await FrameCodec.WriteAsync(a, FrameType.ProofNonce, (byte[])[(byte)ProtocolVersions.Current, .. RandomNumberGenerator.GetBytes(KeyProof.NonceSize)], Ct);
        await FrameCodec.WriteAsync(a, FrameType.ProofRefused, new byte[] { 2 }, Ct);

        var e = await Assert.ThrowsAsync<ProofRefusedException>(() => server.WaitAsync(Unexpected));
        Assert.Equal(ProofRefusal.SecretNotReady, e.Refusal);
        Assert.Equal([FrameType.ProofNonce], await FrameTypesAsync(serverWire.WrittenBytes));
    }

    [Fact]
    public async Task APeerOfAnOlderProtocol_IsAProtocolMismatch_BeforeAnyProof()
    {
        // Releases before V3 opened with a bare 32-byte nonce.
        var (a, b) = FullDuplexStream.CreatePair();
        var serverWire = new RecordingStream(b);
        var server = PeerChannel.AuthenticateAsync(serverWire, false, Credentials(), null, null, 1024, Log, Ct);
        await FrameCodec.WriteAsync(a, FrameType.ProofNonce, new byte[KeyProof.NonceSize], Ct);

        var e = await Assert.ThrowsAsync<ProofRefusedException>(() => server.WaitAsync(Unexpected));
        Assert.Equal((ProofRefusal.ProtocolVersion, "2 or older"), (e.Refusal, e.Detail));
        Assert.Equal([FrameType.ProofNonce], await FrameTypesAsync(serverWire.WrittenBytes));
    }

    [Fact]
    public async Task NeitherKeyNorDerivedKey_AppearsInTheHandshakeBytes()
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var clientWire = new RecordingStream(a);
        var client = PeerChannel.AuthenticateAsync(clientWire, true, Credentials(), null, null, 1024, Log, Ct);
        var server = PeerChannel.AuthenticateAsync(b, false, Credentials(), null, null, 1024, Log, Ct);
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
}
