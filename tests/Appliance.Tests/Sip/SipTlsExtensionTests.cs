using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// TLS is an extension of the TCP transport: a subclass that names itself TLS and wraps each
/// connection in an SslStream carries SIP with everything else unchanged, and a server the client
/// does not trust ends the transaction with a local 503.
/// </summary>
public sealed class SipTlsExtensionTests : IAsyncDisposable
{
    private static readonly IPAddress Loopback = IPAddress.Parse(LoopbackAddresses.Next());
    private readonly X509Certificate2 _ca = TestPki.Ca("sip test ca");
    private readonly SipStack _client = new(new SipTimers(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(500)));
    private readonly SipStack _server = new() { RequestReceived = t => t.RespondAsync(200) };

    [Fact]
    public async Task Options_is_answered_over_a_tls_subclass_of_the_tcp_transport()
    {
        var server = TestTlsTransport.Listen(new IPEndPoint(Loopback, 0), TestPki.Server(_ca, "sip.test"), _ca);
        var client = TestTlsTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0), null, _ca);
        _server.AddTransport(server);
        _client.AddTransport(client);
        var ok = await SipTestKit.Within(_client.SendRequest(SipTestKit.Request(SipMethods.Options), client, server.LocalEndPoint).Final, "200 over TLS");
        Assert.Equal(200, ok.StatusCode);
        Assert.False(ok.IsLocal);
        Assert.Equal("TLS", ok.TopVia.Transport);
    }

    [Fact]
    public async Task A_server_the_client_does_not_trust_ends_the_transaction_with_a_local_503()
    {
        var stranger = TestPki.Ca("someone else");
        var server = TestTlsTransport.Listen(new IPEndPoint(Loopback, 0), TestPki.Server(stranger, "sip.test"), stranger);
        var client = TestTlsTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0), null, _ca);
        _server.AddTransport(server);
        _client.AddTransport(client);
        var refused = await SipTestKit.Within(_client.SendRequest(SipTestKit.Request(SipMethods.Options), client, server.LocalEndPoint).Final, "the local 503");
        Assert.Equal(503, refused.StatusCode);
        Assert.True(refused.IsLocal);
        Assert.Contains("transport error", refused.ReasonPhrase, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }
}
