using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tests.Harness;

namespace Appliance.Tests.NetworkTests;

/// <summary>The harness's checkers on known input; these need no root.</summary>
public sealed class HarnessPartsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Tls_checker_accepts_a_real_TLS_1_3_session_and_sees_no_plaintext()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=harness", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serverTask = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(accepted.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert, EnabledSslProtocols = SslProtocols.Tls13 });
            var buffer = new byte[64];
            var n = await ssl.ReadAsync(buffer);
            await ssl.WriteAsync(buffer.AsMemory(0, n));
        });
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port).WaitAsync(Timeout);
        var recorded = new RecordingStream(client.GetStream());
        await using (var ssl = new SslStream(recorded, leaveInnerStreamOpen: true, (_, _, _, _) => true))
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "harness", EnabledSslProtocols = SslProtocols.Tls13 }).WaitAsync(Timeout);
            await ssl.WriteAsync("secret-marker-123"u8.ToArray()).AsTask().WaitAsync(Timeout);
            var echo = new byte[64];
            Assert.Equal(17, await ssl.ReadAsync(echo).AsTask().WaitAsync(Timeout));
        }
        await serverTask.WaitAsync(Timeout);

        var sent = TlsRecordChecker.Check(recorded.Written.ToArray(), fromClient: true);
        var received = TlsRecordChecker.Check(recorded.Received.ToArray(), fromClient: false);
        Assert.True(sent.IsValid, string.Join("; ", sent.Errors));
        Assert.True(received.IsValid, string.Join("; ", received.Errors));
        Assert.Equal((ushort?)0x0304, received.ServerSelectedVersion);
        Assert.Empty(sent.PlaintextAfterHello());
        Assert.Empty(received.PlaintextAfterHello());
        Assert.True(sent.ApplicationDataBytes > 17);
        Assert.True(recorded.Written.ToArray().AsSpan().IndexOf("secret-marker-123"u8) < 0);
    }

    [Fact]
    public void Tls_checker_names_plaintext_at_byte_0()
    {
        var report = TlsRecordChecker.Check(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), fromClient: true);
        Assert.False(report.IsValid);
        Assert.Contains(report.Errors, e => e.StartsWith("byte 0:", StringComparison.Ordinal));
    }

    [Fact]
    public void Tls_checker_flags_a_non_TLS_record_after_valid_ones()
    {
        byte[] stream = [0x16, 0x03, 0x01, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x02, 0xAA, 0xBB, (byte)'{', (byte)'"', 0x00, 0x00, 0x00];
        var report = TlsRecordChecker.Check(stream, fromClient: true);
        Assert.Contains(report.Errors, e => e.Contains("byte 13: 0x7b is not a TLS content type", StringComparison.Ordinal));
    }

    [Fact]
    public void Tcp_streams_reassemble_out_of_order_and_retransmitted_segments_and_report_holes()
    {
        var a = IPAddress.Parse("198.18.0.11");
        var b = IPAddress.Parse("198.18.0.12");
        CapturedPacket P(IPAddress src, int sport, IPAddress dst, int dport, uint seq, TcpFlags flags, string data = "") =>
            new(DateTime.UtcNow, "TCP") { Source = src, SourcePort = sport, Destination = dst, DestinationPort = dport, Sequence = seq, Flags = flags, Payload = Encoding.ASCII.GetBytes(data) };
        var packets = new[]
        {
            P(a, 40000, b, 4372, uint.MaxValue - 2, TcpFlags.Syn),
            P(b, 4372, a, 40000, 5000, TcpFlags.Syn | TcpFlags.Ack),
            P(a, 40000, b, 4372, 3, TcpFlags.Ack, " world"),           // wrapped past 2^32, arrives first
            P(a, 40000, b, 4372, uint.MaxValue - 1, TcpFlags.Ack, "hello"),
            P(a, 40000, b, 4372, uint.MaxValue - 1, TcpFlags.Ack, "hello"), // retransmission
            P(b, 4372, a, 40000, 5001, TcpFlags.Ack, "ok"),
            P(b, 4372, a, 40000, 5010, TcpFlags.Ack, "late"),            // a hole before it
        };
        var connection = Assert.Single(TcpStreams.Reassemble(packets));
        Assert.Equal(new IPEndPoint(a, 40000), connection.Client);
        Assert.True(connection.SawSyn);
        Assert.Equal("hello world", Encoding.ASCII.GetString(connection.ClientToServer.Bytes));
        Assert.True(connection.ClientToServer.Complete);
        Assert.Equal("ok", Encoding.ASCII.GetString(connection.ServerToClient.Bytes));
        Assert.False(connection.ServerToClient.Complete);
    }

    /// <summary>Keeps a copy of every byte written to to the inner stream (Written) and read from it (Received).</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        public MemoryStream Written { get; } = new();
        public MemoryStream Received { get; } = new();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var n = await inner.ReadAsync(buffer, ct);
            Received.Write(buffer.Span[..n]);
            return n;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Written.Write(buffer.Span);
            await inner.WriteAsync(buffer, ct);
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
