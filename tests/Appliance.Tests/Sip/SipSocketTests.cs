using System.Net;
using System.Net.Sockets;
using System.Text;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>Two stacks over real UDP and TCP sockets on loopback: requests answered, TCP framed and connections reused, garbage cut off.</summary>
public sealed class SipSocketTests : IAsyncDisposable
{
    private static readonly IPAddress Loopback = IPAddress.Parse(Support.LoopbackAddresses.Next());
    private readonly SipStack _client = new(new SipTimers(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500)));
    private readonly SipStack _server = new();
    private readonly List<string> _problems = [];

    public SipSocketTests()
    {
        _server.RequestReceived = t => t.RespondAsync(t.Request.Method == SipMethods.Options ? 200 : 486);
        _server.Problem += p => { lock (_problems) _problems.Add(p); };
    }

    [Theory]
    [InlineData("UDP")]
    [InlineData("TCP")]
    public async Task Options_and_invite_are_answered_over_a_real_socket(string protocol)
    {
        var (serverSide, clientSide) = protocol == "UDP"
            ? ((ISipTransport)SipUdpTransport.Bind(new IPEndPoint(Loopback, 0)), (ISipTransport)SipUdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0)))
            : (SipTcpTransport.Listen(new IPEndPoint(Loopback, 0)), SipTcpTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0)));
        _server.AddTransport(serverSide);
        _client.AddTransport(clientSide);
        var target = $"sip:p1@{serverSide.LocalEndPoint}";
        var ok = await SipTestKit.Within(_client.SendRequest(SipTestKit.Request(SipMethods.Options, target), clientSide, serverSide.LocalEndPoint).Final, "200 to OPTIONS");
        Assert.Equal(200, ok.StatusCode);
        Assert.False(ok.IsLocal);
        if (protocol == "UDP")
            Assert.Equal(clientSide.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), ok.TopVia.Parameters["rport"]);
        var busy = await SipTestKit.Within(_client.SendRequest(SipTestKit.Request(SipMethods.Invite, target), clientSide, serverSide.LocalEndPoint).Final, "486 to INVITE");
        Assert.Equal(486, busy.StatusCode);
        if (serverSide is SipTcpTransport tcp)
        {
            // The response came back over the client's connection, and the INVITE reused it.
            Assert.Equal(1, tcp.ConnectionCount);
            Assert.Equal(1, ((SipTcpTransport)clientSide).ConnectionCount);
        }
    }

    [Fact]
    public async Task Tcp_messages_split_and_joined_arbitrarily_are_framed_by_content_length()
    {
        var listener = SipTcpTransport.Listen(new IPEndPoint(Loopback, 0));
        _server.AddTransport(listener);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint);
        static byte[] Options(string branch)
        {
            var r = SipTestKit.Request(SipMethods.Options);
            r.Headers.Prepend(SipHeaderNames.Via, new SipVia("TCP", "127.0.0.1", 5060, branch).ToString());
            return r.ToBytes();
        }
        byte[] two = [.. Options("z9hG4bKone"), .. "\r\n\r\n"u8, .. Options("z9hG4bKtwo")];
        // Three pieces that cut through the first message's headers and the second's start line.
        foreach (var piece in new[] { two[..30], two[30..(two.Length / 2 + 5)], two[(two.Length / 2 + 5)..] })
        {
            await socket.SendAsync(new ReadOnlyMemory<byte>(piece));
            await Task.Delay(20);
        }
        var replies = await ReadResponsesAsync(socket, 2);
        Assert.Equal(2, replies.Count(r => r.StartsWith("SIP/2.0 200 OK", StringComparison.Ordinal)));
        Assert.Contains(replies, r => r.Contains("z9hG4bKone", StringComparison.Ordinal));
        Assert.Contains(replies, r => r.Contains("z9hG4bKtwo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tcp_stream_that_cannot_be_framed_is_closed_with_the_reason_reported()
    {
        var listener = SipTcpTransport.Listen(new IPEndPoint(Loopback, 0));
        _server.AddTransport(listener);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint);
        await socket.SendAsync(new ReadOnlyMemory<byte>("OPTIONS sip:x@y SIP/2.0\r\nCall-ID: 1\r\n\r\n"u8.ToArray()));
        var buffer = new byte[100];
        var n = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(SipTestKit.Timeout);
        Assert.Equal(0, n);
        lock (_problems) Assert.Contains(_problems, p => p.Contains("Content-Length is required on a stream transport", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_idle_tcp_connection_is_closed_so_idle_ones_cannot_fill_the_connection_limit()
    {
        var listener = SipTcpTransport.Listen(new IPEndPoint(Loopback, 0), idleTimeout: TimeSpan.FromMilliseconds(300));
        _server.AddTransport(listener);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint);
        await socket.SendAsync(new ReadOnlyMemory<byte>("OPTIONS sip:x@y SIP/2.0\r\n"u8.ToArray())); // a message that never completes
        var n = await socket.ReceiveAsync(new byte[100].AsMemory()).AsTask().WaitAsync(SipTestKit.Timeout);
        Assert.Equal(0, n);
        await SipTestKit.WaitUntil(() => listener.ConnectionCount == 0, "the connection forgotten");
        lock (_problems) Assert.Contains(_problems, p => p.Contains("nothing received for 0.3 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_udp_datagram_that_does_not_parse_is_dropped_with_the_reason_and_the_stack_keeps_serving()
    {
        var udp = SipUdpTransport.Bind(new IPEndPoint(Loopback, 0));
        _server.AddTransport(udp);
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await client.SendAsync(Encoding.UTF8.GetBytes("OPTIONS sip:x@y SIP/2.0\r\nVia: nonsense\r\n\r\n"), udp.LocalEndPoint);
        await SipTestKit.WaitUntil(() => { lock (_problems) return _problems.Any(p => p.Contains("the mandatory From header is missing", StringComparison.Ordinal)); },
            "the parse error reported");
        var clientSide = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _client.AddTransport(clientSide);
        var ok = await SipTestKit.Within(_client.SendRequest(SipTestKit.Request(SipMethods.Options), clientSide, udp.LocalEndPoint).Final, "200 after the garbage");
        Assert.Equal(200, ok.StatusCode);
    }

    private static async Task<List<string>> ReadResponsesAsync(Socket socket, int count)
    {
        var buffer = new byte[65536];
        var filled = 0;
        var messages = new List<string>();
        while (messages.Count < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled)).AsTask().WaitAsync(SipTestKit.Timeout);
            Assert.True(n > 0, "the server closed the connection");
            filled += n;
            while (SipFraming.TryFrame(buffer.AsSpan(0, filled), SipLimits.Default, out var skip, out var length) && length > 0)
            {
                messages.Add(Encoding.UTF8.GetString(buffer, skip, length));
                Buffer.BlockCopy(buffer, skip + length, buffer, 0, filled - skip - length);
                filled -= skip + length;
            }
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }
}
