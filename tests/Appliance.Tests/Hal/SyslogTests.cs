using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Hal;

namespace Appliance.Tests.Hal;

public sealed class SyslogTests
{
    private static readonly DateTimeOffset When = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6_789_010);

    private static SyslogMessage Msg(string text, string? msgId = "cfg") =>
        new(SyslogFacility.Local0, SyslogSeverity.Informational, When, "peer-a", "applianced", "42", msgId, text);

    private static string Expected(string text, string msgId = "cfg") =>
        $"<134>1 2026-01-02T03:04:05.678901Z peer-a applianced 42 {msgId} - {text}";

    private static readonly SyslogForwarderOptions Fast = new() { MinReconnectDelay = TimeSpan.FromMilliseconds(50), ConnectTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public void Formats_rfc5424_with_nil_values_and_safe_header_fields()
    {
        Assert.Equal(Expected("hello wörld"), Rfc5424Formatter.Format(Msg("hello wörld")));
        var bare = new SyslogMessage(SyslogFacility.Kern, SyslogSeverity.Emergency, When.ToOffset(TimeSpan.FromHours(2)), null, "", null, null, "");
        Assert.Equal("<0>1 2026-01-02T03:04:05.678901Z - - - - -", Rfc5424Formatter.Format(bare));
        var spaced = Msg("x") with { HostName = "my host", MsgId = new string('m', 40) };
        Assert.Equal($"<134>1 2026-01-02T03:04:05.678901Z my_host applianced 42 {new string('m', 32)} - x", Rfc5424Formatter.Format(spaced));
        Assert.Equal("5 hello"u8.ToArray(), Rfc5424Formatter.Frame("hello"u8.ToArray()));
    }

    [Fact]
    public void Server_text_parses_with_defaults_and_names_bad_parts()
    {
        Assert.Equal(new SyslogServer("198.18.0.5", 514, SyslogTransport.Udp), SyslogServer.Parse("198.18.0.5"));
        Assert.Equal(new SyslogServer("logs.example", 6514, SyslogTransport.Tls), SyslogServer.Parse("logs.example/tls"));
        Assert.Equal(new SyslogServer("127.0.0.1", 1514, SyslogTransport.Tcp), SyslogServer.Parse("127.0.0.1:1514/TCP"));
        Assert.Contains("'sctp'", Assert.Throws<FormatException>(() => SyslogServer.Parse("h/sctp")).Message);
        Assert.Contains("'99999'", Assert.Throws<FormatException>(() => SyslogServer.Parse("h:99999")).Message);
    }

    [Fact]
    public async Task Udp_listener_receives_formatted_messages()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        await using var fwd = new SyslogForwarder([new SyslogServer("127.0.0.1", port, SyslogTransport.Udp)], Fast);
        fwd.Send(Msg("first"));
        fwd.Send(Msg("second"));
        Assert.Equal(Expected("first"), Encoding.UTF8.GetString((await udp.ReceiveAsync().WaitAsync(Host.Unexpected)).Buffer));
        Assert.Equal(Expected("second"), Encoding.UTF8.GetString((await udp.ReceiveAsync().WaitAsync(Host.Unexpected)).Buffer));
    }

    [Fact]
    public async Task Tcp_listener_receives_octet_counted_messages_and_the_sender_reconnects()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var fwd = new SyslogForwarder([new SyslogServer("127.0.0.1", port, SyslogTransport.Tcp)], Fast);
            fwd.Send(Msg("one\nline two"));
            fwd.Send(Msg("three"));
            using (var conn = await listener.AcceptTcpClientAsync().WaitAsync(Host.Unexpected))
            {
                var stream = conn.GetStream();
                Assert.Equal(Expected("one\nline two"), await ReadFrameAsync(stream));
                Assert.Equal(Expected("three"), await ReadFrameAsync(stream));
            }
            // The server closed the connection; the next message arrives on a new one.
            await Task.Delay(200);
            fwd.Send(Msg("after reconnect"));
            using var again = await listener.AcceptTcpClientAsync().WaitAsync(Host.Unexpected);
            Assert.Equal(Expected("after reconnect"), await ReadFrameAsync(again.GetStream()));
            Assert.Equal(0, fwd.Dropped);
            // The sender counts a message after its write returns, which may be just after we read it.
            for (var i = 0; i < 100 && fwd.Status.Single().Sent < 3; i++) await Task.Delay(50);
            Assert.Equal(3, fwd.Status.Single().Sent);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tls_listener_with_a_generated_certificate_receives_messages()
    {
        using var cert = MakeCertificate();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            string? refused = null;
            var options = new SyslogForwarderOptions
            {
                MinReconnectDelay = TimeSpan.FromMilliseconds(50),
                ServerCertificateValidation = (_, c, _, errors) =>
                {
                    var ok = c is not null && c.GetCertHashString() == cert.GetCertHashString();
                    if (!ok)
                        refused = $"unexpected certificate ({errors})";
                    return ok;
                },
            };
            await using var fwd = new SyslogForwarder([new SyslogServer("127.0.0.1", port, SyslogTransport.Tls)], options);
            fwd.Send(Msg("over tls"));
            using var conn = await listener.AcceptTcpClientAsync().WaitAsync(Host.Unexpected);
            await using var ssl = new SslStream(conn.GetStream());
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert }).WaitAsync(Host.Unexpected);
            Assert.Equal(Expected("over tls"), await ReadFrameAsync(ssl));
            Assert.Null(refused);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Tls_sender_refuses_an_untrusted_certificate()
    {
        using var cert = MakeCertificate();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var fwd = new SyslogForwarder([new SyslogServer("127.0.0.1", port, SyslogTransport.Tls)], Fast);
            fwd.Send(Msg("secret"));
            using var conn = await listener.AcceptTcpClientAsync().WaitAsync(Host.Unexpected);
            await using var ssl = new SslStream(conn.GetStream());
            // Under TLS 1.3 the server may finish its side before the client rejects the
            // certificate, so the verdict is read from the sender, not from this handshake.
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = cert }).WaitAsync(Host.Unexpected);
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
            }
            var until = DateTime.UtcNow + Host.Unexpected;
            while (fwd.Status.Single().LastError is null && DateTime.UtcNow < until)
                await Task.Delay(20);
            Assert.Contains("certificate", fwd.Status.Single().LastError, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(0, fwd.Status.Single().Sent);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Send_never_blocks_and_counts_drops_when_a_server_is_unreachable()
    {
        // A port nobody listens on: connects are refused, the one queue slot stays full.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var options = new SyslogForwarderOptions { QueueCapacity = 1, MinReconnectDelay = TimeSpan.FromSeconds(30) };
        await using var fwd = new SyslogForwarder([new SyslogServer("127.0.0.1", port, SyslogTransport.Tcp)], options);
        var started = DateTime.UtcNow;
        for (var i = 0; i < 100; i++)
            fwd.Send(Msg("m" + i));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1));
        Assert.InRange(fwd.Dropped, 98, 100);
    }

    private static async Task<string> ReadFrameAsync(Stream stream)
    {
        var length = 0;
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(Host.Unexpected);
            if (one[0] == (byte)' ')
                break;
            Assert.InRange(one[0], (byte)'0', (byte)'9');
            length = length * 10 + (one[0] - '0');
        }
        var body = new byte[length];
        await stream.ReadExactlyAsync(body).AsTask().WaitAsync(Host.Unexpected);
        return Encoding.UTF8.GetString(body);
    }

    private static X509Certificate2 MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=syslog-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round-trip through PKCS#12 so the private key is usable by the TLS server on Linux.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
