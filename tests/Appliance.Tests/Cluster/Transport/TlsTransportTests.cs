using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading.Channels;
using Appliance.Daemon.Cluster.Transport;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>Real sockets on 127.0.0.x, real TLS 1.3, two generated certificates.</summary>
public class TlsTransportTests(ITestOutputHelper output) : TransportTestBase(output)
{
    private static readonly IPAddress ServerAddress = IPAddress.Parse("127.0.0.21");
    private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.22");

    [Fact]
    public async Task Connect_ProvesKey_ExchangesFrames_OverTls13()
    {
        var serverCert = NewCertificate("server-peer");
        var clientCert = NewCertificate("client-peer");
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = Transport(serverCert).Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));

        await using var client = await Transport(clientCert).ConnectAsync(listener.LocalEndPoint, Ct, ClientAddress).WaitAsync(Unexpected);
        var server = await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected);

        Assert.Equal(SslProtocols.Tls13, client.TlsProtocol);
        Assert.Equal(SslProtocols.Tls13, server.TlsProtocol);
        Assert.Equal(serverCert.Hash, client.RemoteCertificateHash);
        Assert.Equal(clientCert.Hash, server.RemoteCertificateHash);
        Assert.Equal("client-peer", server.RemoteCertificate!.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        Assert.Equal(ClientAddress, server.RemoteEndPoint!.Address);
        Assert.True(client.IsClient);
        Assert.False(server.IsClient);

        var big = new byte[3 * 1024 * 1024];
        new Random(1).NextBytes(big);
        await client.SendAsync(FrameType.OpBatch, big, Ct).WaitAsync(Unexpected);
        var received = await server.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected);
        Assert.Equal(FrameType.OpBatch, received!.Type);
        Assert.Equal(big, received.Payload.ToArray());

        await server.SendAsync(FrameType.Ack, "42"u8.ToArray(), Ct).WaitAsync(Unexpected);
        var ack = await client.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected);
        Assert.Equal(FrameType.Ack, ack!.Type);
        Assert.Equal("42"u8.ToArray(), ack.Payload.ToArray());
    }

    [Fact]
    public async Task WrongKey_ClientAndServerReportKeyMismatch_HandlerNeverRuns()
    {
        var serverCert = NewCertificate("server-peer");
        var clientCert = NewCertificate("client-peer");
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = Transport(serverCert).Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));

        var e = await Assert.ThrowsAsync<KeyMismatchException>(
            () => Transport(clientCert, OtherKey).ConnectAsync(listener.LocalEndPoint, Ct, ClientAddress).WaitAsync(Unexpected));
        Assert.StartsWith("Key mismatch", e.Message);
        await WaitForLogAsync("Key mismatch");
        Assert.False(accepted.Reader.TryRead(out _));
    }

    [Fact]
    public async Task KeyBytes_NeverAppearInTheRawStreams()
    {
        var serverCert = NewCertificate("server-peer");
        var clientCert = NewCertificate("client-peer");
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        var recordings = new List<RecordingStream>();
        Stream Record(Stream s)
        {
            var r = new RecordingStream(s);
            lock (recordings) recordings.Add(r);
            return r;
        }
        var serverTransport = Transport(serverCert);
        serverTransport.WrapNetworkStream = Record;
        var clientTransport = Transport(clientCert);
        clientTransport.WrapNetworkStream = Record;
        await using var listener = serverTransport.Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));

        await using var client = await clientTransport.ConnectAsync(listener.LocalEndPoint, Ct, ClientAddress).WaitAsync(Unexpected);
        var server = await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected);
        await client.SendAsync(FrameType.Hello, Encoding.UTF8.GetBytes("hello " + Key), Ct).WaitAsync(Unexpected);
        await server.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected);

        Assert.Equal(2, recordings.Count);
        foreach (var recording in recordings)
        {
            var raw = recording.WrittenBytes.Concat(recording.ReadBytes).ToArray();
            Assert.True(raw.Length > 500, "the recording holds the TLS handshake");
            Assert.False(RecordingStream.Contains(raw, Encoding.UTF8.GetBytes(Key)));
            Assert.False(RecordingStream.Contains(raw, Secret().DerivedKey[..8]));
            Assert.False(RecordingStream.Contains(raw, "hello "u8), "application data is encrypted");
        }
    }

    [Fact]
    public async Task GarbageFromRawTcpClient_IsClosed_AndServerKeepsServing()
    {
        var serverCert = NewCertificate("server-peer");
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = Transport(serverCert).Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));

        using var raw = new TcpClient(new IPEndPoint(ClientAddress, 0));
        await raw.ConnectAsync(listener.LocalEndPoint, Ct).AsTask().WaitAsync(Unexpected);
        var garbage = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n").Concat(Enumerable.Repeat((byte)0xAB, 300)).ToArray();
        await raw.GetStream().WriteAsync(garbage, Ct).AsTask().WaitAsync(Unexpected);
        await AssertClosedByServerAsync(raw);
        await WaitForLogAsync("TLS failed");

        await using var client = await Transport(NewCertificate("client-peer")).ConnectAsync(listener.LocalEndPoint, Ct, ClientAddress).WaitAsync(Unexpected);
        var server = await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected);
        await client.SendAsync(FrameType.Heartbeat, default, Ct).WaitAsync(Unexpected);
        Assert.Equal(FrameType.Heartbeat, (await server.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected))!.Type);
    }

    [Fact]
    public async Task SilentClient_IsClosedAfterHandshakeTimeout()
    {
        var options = new TransportOptions { UnlistedHandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var listener = Transport(NewCertificate("server-peer"), options: options)
            .Listen(new IPEndPoint(ServerAddress, 0), (_, _) => Task.CompletedTask);

        using var raw = new TcpClient(new IPEndPoint(ClientAddress, 0));
        await raw.ConnectAsync(listener.LocalEndPoint, Ct).AsTask().WaitAsync(Unexpected);
        await AssertClosedByServerAsync(raw);
        await WaitForLogAsync("did not complete within 0.3 s");
    }

    [Fact]
    public async Task PendingHandshakeLimit_RefusesExtraConnections_ThenRecovers()
    {
        var options = new TransportOptions { MaxPendingHandshakes = 1, UnlistedHandshakeTimeout = TimeSpan.FromSeconds(30) };
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = Transport(NewCertificate("server-peer"), options: options)
            .Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));

        var silent = new TcpClient(new IPEndPoint(ClientAddress, 0));
        await silent.ConnectAsync(listener.LocalEndPoint, Ct).AsTask().WaitAsync(Unexpected);
        await Task.Delay(200, Ct); // let the server accept it and take the only slot

        using var extra = new TcpClient(new IPEndPoint(ClientAddress, 0));
        await extra.ConnectAsync(listener.LocalEndPoint, Ct).AsTask().WaitAsync(Unexpected);
        await AssertClosedByServerAsync(extra);
        await WaitForLogAsync("1 connections already in handshake");

        silent.Dispose(); // its handshake fails at once and frees the slot
        await WaitForLogAsync("refused: connection lost");
        await using var client = await Transport(NewCertificate("client-peer"), options: options)
            .ConnectAsync(listener.LocalEndPoint, Ct, ClientAddress).WaitAsync(Unexpected);
        Assert.NotNull(await accepted.Reader.ReadAsync(Ct).AsTask().WaitAsync(Unexpected));
    }

    [Fact]
    public async Task StoppingListener_EndsHandlersBlockedInReceive()
    {
        var entered = new TaskCompletionSource();
        var listener = Transport(NewCertificate("server-peer")).Listen(new IPEndPoint(ServerAddress, 0), async (channel, _) =>
        {
            entered.SetResult();
            await channel.ReceiveAsync(CancellationToken.None); // ignores the stop token on purpose
        });
        await using var client = await Transport(NewCertificate("client-peer")).ConnectAsync(listener.LocalEndPoint, Ct).WaitAsync(Unexpected);
        await entered.Task.WaitAsync(Unexpected);

        await listener.DisposeAsync().AsTask().WaitAsync(Unexpected);
        Assert.Null(await client.ReceiveAsync(Ct).AsTask().WaitAsync(Unexpected)); // the server side closed
    }

    [Fact]
    public async Task ServerCertificate_RotatesThroughTheSelector()
    {
        var first = NewCertificate("server-peer");
        var second = NewCertificate("server-peer");
        var current = first;
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = new TlsTransport(() => current.Certificate, () => Credentials(), null, Log)
            .Listen(new IPEndPoint(ServerAddress, 0), Capture(accepted));
        var client = Transport(NewCertificate("client-peer"));

        await using (var before = await client.ConnectAsync(listener.LocalEndPoint, Ct).WaitAsync(Unexpected))
            Assert.Equal(first.Hash, before.RemoteCertificateHash);
        current = second;
        await using (var after = await client.ConnectAsync(listener.LocalEndPoint, Ct).WaitAsync(Unexpected))
            Assert.Equal(second.Hash, after.RemoteCertificateHash);
    }

    [Fact]
    public async Task ConnectToClosedPort_FailsFast()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(ServerAddress, 0));
        var unused = (IPEndPoint)probe.LocalEndPoint!; // bound, not listening: connections are refused
        await Assert.ThrowsAsync<SocketException>(
            () => Transport(NewCertificate("client-peer")).ConnectAsync(unused, Ct).WaitAsync(Unexpected));
    }
}
