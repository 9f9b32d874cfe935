using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading.Channels;
using Appliance.Daemon.Cluster.Transport;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>
/// The key proof against a real listener (sockets on 127.0.0.x, TLS 1.3), with every frame the
/// client sends and receives after TLS recorded: what a client that does not hold the key, or
/// belongs to another cluster, gets back.
/// </summary>
public class KeyProofListenerTests(ITestOutputHelper output) : TransportTestBase(output)
{
    private static readonly IPAddress ServerAddress = IPAddress.Parse("127.0.0.26");
    private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.27");

    [Fact]
    public async Task WrongKeyClient_ReceivesNoProofFromTheListener()
    {
        await using var listener = Listen(Credentials());

        var (error, sent, received) = await ProveAsync(listener, Credentials(OtherKey));

        // An unauthenticated client gets the listener's announcement and a rejection: nothing
        // computed from the key that it could test guesses against offline.
        Assert.DoesNotContain(FrameType.Proof, received);
        Assert.Equal([FrameType.ProofNonce, FrameType.ProofRejected], received);
        Assert.Equal([FrameType.ProofNonce, FrameType.Proof], sent);
        Assert.True(Assert.IsType<KeyMismatchException>(error).RejectedByPeer);
        await WaitForLogAsync("Key mismatch");
    }

    [Fact]
    public async Task RightKeyClient_GetsTheListenersProof_AfterItsOwn()
    {
        await using var listener = Listen(Credentials());

        var (error, sent, received) = await ProveAsync(listener, Credentials());

        Assert.Null(error);
        Assert.Equal([FrameType.ProofNonce, FrameType.Proof, FrameType.ProofAccepted], sent);
        Assert.Equal([FrameType.ProofNonce, FrameType.Proof], received);
    }

    [Fact]
    public async Task SameKey_OtherCluster_IsRefusedBeforeAnyProof()
    {
        await using var listener = Listen(Credentials(Key, "cluster-b"));

        var (error, sent, received) = await ProveAsync(listener, Credentials(Key, "cluster-a"));

        var refused = Assert.IsType<ProofRefusedException>(error);
        Assert.Equal((ProofRefusal.OtherCluster, "cluster-b"), (refused.Refusal, refused.Detail));
        Assert.Equal([FrameType.ProofNonce], sent);
        Assert.Equal([FrameType.ProofNonce], received);
        await WaitForLogAsync("the peer belongs to another cluster (cluster-a)");
    }

    [Fact]
    public async Task ListenerWithoutClusterId_TakesTheDialersId_OnlyFromAListedAddress()
    {
        var listed = new List<IPAddress>();
        await using var listener = Listen(new ClusterCredentials(Key, null) { AdoptsIdFrom = a => { lock (listed) return listed.Contains(a); } });

        var (error, sent, received) = await ProveAsync(listener, Credentials(Key, "cluster-a"));
        Assert.Equal(ProofRefusal.NotListed, Assert.IsType<ProofRefusedException>(error).Refusal);
        Assert.Equal([FrameType.ProofNonce], sent);
        Assert.Equal([FrameType.ProofRefused], received);
        await WaitForLogAsync("does not list the dialing peer's address");

        // A dialer with no id yet proves with the listener's (no id): nothing to adopt, no address check.
        Assert.Null((await ProveAsync(listener, Credentials())).Error);

        lock (listed) listed.Add(ClientAddress);
        Assert.Null((await ProveAsync(listener, Credentials(Key, "cluster-a"))).Error);
    }

    private TransportListener Listen(ClusterCredentials credentials)
    {
        var certificate = NewCertificate("server-peer");
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        return new TlsTransport(() => certificate.Certificate, () => credentials, null, Log)
            .Listen(new IPEndPoint(ServerAddress, 0), async (channel, ct) => await accepted.Writer.WriteAsync(channel, ct));
    }

    /// <summary>
    /// TLS to the listener from <see cref="ClientAddress"/>, then the real dialer side of the key
    /// proof over a recording of the decrypted stream. Returns what the proof threw (null: both
    /// proven) and the frame types each way.
    /// </summary>
    private async Task<(Exception? Error, List<byte> Sent, List<byte> Received)> ProveAsync(
        TransportListener listener, ClusterCredentials credentials)
    {
        var certificate = NewCertificate("client-peer");
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(ClientAddress, 0));
        await socket.ConnectAsync(listener.LocalEndPoint, Ct).AsTask().WaitAsync(Unexpected);
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "appliance-peer",
            EnabledSslProtocols = SslProtocols.Tls13,
            LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate.Certificate,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            AllowTlsResume = false,
        }, Ct).WaitAsync(Unexpected);
        var wire = new RecordingStream(ssl);
        var error = await Record.ExceptionAsync(() => KeyProof.RunAsync(wire, isClient: true, credentials, null,
            certificate.Hash, CertificateHash.Of(ssl.RemoteCertificate), Ct).WaitAsync(Unexpected));
        Output.WriteLine($"proof: {error?.Message ?? "both proven"}");
        return (error, await FrameTypesAsync(wire.WrittenBytes), await FrameTypesAsync(wire.ReadBytes));
    }
}
