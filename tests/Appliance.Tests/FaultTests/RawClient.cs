using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Appliance.Daemon.Cluster.Transport;
using Appliance.Tests.Harness;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// A hostile client on a spare test host: its sockets are created on a thread inside that host's
/// namespace, so the peers see a stranger's address on the test switch. It speaks raw bytes, TLS
/// with its own self-signed certificate, or (knowing the key, as a test can) the full key proof.
/// </summary>
internal sealed class RawClient(TestHost host) : IDisposable
{
    private readonly NetnsThread _thread = new(host.Namespace);
    private readonly PeerCertificate _certificate = PeerCertificate.Create("attacker");

    public TestHost Host => host;

    /// <summary>Connects from the host's address, or from <paramref name="from"/>, another address of its namespace.</summary>
    public async Task<Socket> ConnectAsync(string address, int port, string? from = null)
    {
        var socket = await _thread.RunAsync(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
        try
        {
            if (from is not null) socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
            await socket.ConnectAsync(IPAddress.Parse(address), port).WaitAsync(TimeSpan.FromSeconds(5));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Connects and runs TLS 1.3 with our own certificate; <paramref name="record"/> gets every byte we send.</summary>
    public async Task<SslStream> TlsAsync(string address, int port, MemoryStream? record = null)
    {
        var socket = await ConnectAsync(address, port);
        Stream network = new NetworkStream(socket, ownsSocket: true);
        if (record is not null) network = new RecordingStream(network, record);
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "appliance-peer",
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificates = [_certificate.Certificate],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _certificate.Certificate,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            AllowTlsResume = false,
        }).WaitAsync(TimeSpan.FromSeconds(10));
        return ssl;
    }

    /// <summary>TLS plus the real key proof: an authenticated session, as only a holder of the key gets.</summary>
    public async Task<SslStream> AuthenticatedAsync(string address, int port, string key, MemoryStream? record = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ssl = await TlsAsync(address, port, record);
            try
            {
                await KeyProof.RunAsync(ssl, isClient: true, new ClusterCredentials(key, null), null, CertificateHash.Of(ssl.LocalCertificate),
                    CertificateHash.Of(ssl.RemoteCertificate), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                return ssl;
            }
            catch (ProofRefusedException e) when (e.SecretReady is { } ready && attempt == 1)
            {
                // The first time, we learn the cluster's id and derive its secret, as a joining peer
                // does; then we connect again and prove. Only the session that proved is recorded.
                await ssl.DisposeAsync();
                await ready.WaitAsync(TimeSpan.FromSeconds(60));
                if (record is not null) lock (record) record.SetLength(0);
            }
            catch
            {
                await ssl.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Reads until the peer closes; returns how (the peer must close within the bound, whatever we sent).</summary>
    public static async Task<string> ClosedByPeerAsync(Stream stream, TimeSpan within)
    {
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (await stream.ReadAsync(buffer, timeout.Token) > 0) { }
            return $"closed (EOF) after {clock.ElapsedMilliseconds} ms";
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the peer kept the connection open for {within.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is IOException or AuthenticationException or SocketException)
        {
            return $"closed ({e.GetType().Name}: {e.Message}) after {clock.ElapsedMilliseconds} ms";
        }
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _thread.Dispose();
    }

    /// <summary>Passes bytes through and keeps a copy of what is written (the client's side of the stream).</summary>
    private sealed class RecordingStream(Stream inner, MemoryStream record) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (record) record.Write(buffer, offset, count);
            inner.Write(buffer, offset, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            lock (record) record.Write(buffer.Span);
            await inner.WriteAsync(buffer, ct);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
