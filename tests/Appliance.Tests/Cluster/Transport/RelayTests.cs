using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Appliance.Daemon.Cluster.Transport;
using Xunit.Abstractions;

namespace Appliance.Tests.Cluster.Transport;

/// <summary>
/// A man in the middle that terminates TLS on both sides with its own certificates and forwards
/// the bytes faithfully. It cannot forge proofs (no key) and forwarding them does not help: each
/// end binds its proof to the certificates it saw, which differ from what the other end saw.
/// </summary>
public class RelayTests(ITestOutputHelper output) : TransportTestBase(output)
{
    [Fact]
    public async Task TlsTerminatingRelay_FailsTheProofOnBothEnds()
    {
        var serverCert = NewCertificate("server-peer");
        var clientCert = NewCertificate("client-peer");
        var relayCert = NewCertificate("relay");
        var accepted = Channel.CreateUnbounded<PeerChannel>();
        await using var listener = new TlsTransport(() => serverCert.Certificate, () => Credentials(), null, Log)
            .Listen(new IPEndPoint(IPAddress.Parse("127.0.0.21"), 0), async (c, ct) => await accepted.Writer.WriteAsync(c, ct));

        var relayListener = new TcpListener(IPAddress.Parse("127.0.0.23"), 0);
        relayListener.Start();
        try
        {
            var forwarded = new RecordingStream(Stream.Null);
            var relay = RelayOnceAsync(relayListener, listener.LocalEndPoint, relayCert.Certificate, forwarded);

            var client = new TlsTransport(() => clientCert.Certificate, () => Credentials(), null, Log);
            var e = await Assert.ThrowsAsync<KeyMismatchException>(
                () => client.ConnectAsync((IPEndPoint)relayListener.LocalEndpoint, Ct).WaitAsync(Unexpected));
            Output.WriteLine($"client: {e.Message}");
            await WaitForLogAsync("Key mismatch");
            await relay.WaitAsync(Unexpected);

            // The relay did forward the proof: it just could not make it verify.
            var toServer = forwarded.WrittenBytes;
            Assert.True(toServer.Length >= 2 * FrameCodec.HeaderSize + 1 + KeyProof.NonceSize + KeyProof.ProofSize);
            Assert.Equal(FrameType.ProofNonce, toServer[4]);
            Assert.False(accepted.Reader.TryRead(out _));
        }
        finally
        {
            relayListener.Stop();
        }
    }

    private async Task RelayOnceAsync(TcpListener relayListener, IPEndPoint server, X509Certificate2 relayCert, RecordingStream forwarded)
    {
        using var front = await relayListener.AcceptTcpClientAsync(Ct);
        await using var frontTls = new SslStream(front.GetStream());
        await frontTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = relayCert,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            EnabledSslProtocols = SslProtocols.Tls13,
        }, Ct);

        using var back = new TcpClient();
        await back.ConnectAsync(server, Ct);
        await using var backTls = new SslStream(back.GetStream());
        await backTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "appliance-peer",
            ClientCertificates = [relayCert],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            EnabledSslProtocols = SslProtocols.Tls13,
        }, Ct);

        await Task.WhenAll(PumpAsync(frontTls, backTls, forwarded), PumpAsync(backTls, frontTls, null));
    }

    private async Task PumpAsync(Stream from, Stream to, RecordingStream? record)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, Ct)) > 0)
            {
                if (record is not null)
                    await record.WriteAsync(buffer.AsMemory(0, n), Ct);
                await to.WriteAsync(buffer.AsMemory(0, n), Ct);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Either end hung up after the failed proof.
        }
        try
        {
            to.Close();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Already closed by the other direction.
        }
    }
}
