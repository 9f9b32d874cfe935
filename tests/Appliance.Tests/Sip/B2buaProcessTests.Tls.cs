using System.Net;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

public partial class B2buaProcessTests
{
    /// <summary>
    /// SIP over TLS on 5061 of the rendezvous address once a server certificate is installed and
    /// selected (certificates.serverCertificate, the one the HTTPS pages present): a TLS client that
    /// trusts only the certificate's CA gets OPTIONS answered and calls through the peer to the bridge.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task With_a_server_certificate_selected_the_trunk_takes_options_and_calls_over_tls_on_5061()
    {
        var peer = f.Cluster[0];
        using var ca = TestPki.Ca("sip trunk ca");
        using var server = TestPki.Server(ca, "sip.test", address: IPAddress.Parse(f.Rendezvous[0]));
        await peer.Api("certificates.addServer", new JsonObject { ["name"] = "trunk", ["pem"] = TestPki.Pem(server, ca) + TestPki.KeyPem(server) });
        await peer.Api("config.set", new JsonObject { ["path"] = "certificates.serverCertificate", ["values"] = new JsonArray("trunk") });
        var tlsTrunk = new IPEndPoint(IPAddress.Parse(f.Rendezvous[0]), Appliance.Daemon.Sip.SipTrunk.DefaultTlsPort);
        await Eventually.WaitUntil(async () => (await SipApplier(0))?.Contains($"{tlsTrunk} (TLS)", StringComparison.Ordinal) == true, Settle,
            $"the trunk listens on {tlsTrunk} (TLS)", async () => await SipApplier(0) ?? "(no sip applier)");

        var tls = TestTlsTransport.Listen(new IPEndPoint(IPAddress.Loopback, 0), null, ca, SslProtocols.Tls12 | SslProtocols.Tls13);
        await using var caller = new SipCaller(tls: tls);
        using var bridge = f.BridgeApi();
        var options = SipTestKit.Request(SipMethods.Options, $"sip:{tlsTrunk};transport=tls");
        var alive = await SipTestKit.Within(caller.Stack.SendRequest(options, tls, tlsTrunk).Final, "OPTIONS over TLS");
        Assert.True(alive.StatusCode == 200 && !alive.IsLocal, $"OPTIONS over TLS: {alive.StatusCode} {alive.ReasonPhrase}");
        Assert.True(tls.Negotiated is SslProtocols.Tls12 or SslProtocols.Tls13, $"negotiated {tls.Negotiated}");

        var call = caller.Invite(tlsTrunk, "meet.50", "TLS");
        var ok = await call.Final;
        Assert.True(ok.StatusCode == 200, $"INVITE over TLS: {ok.StatusCode} {ok.ReasonPhrase} {ok.Headers[SipHeaderNames.Reason]}");
        Assert.Equal("tls", ok.Contacts[0].Uri.Parameters["transport"]); // in-dialog requests come back over TLS
        Assert.Contains($"c=IN IP4 {f.Sim.Address}", call.Body(ok), StringComparison.Ordinal);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-50", None)).Count == 1, Settle, "the call over TLS is in meet-50 on the bridge");
        Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-50", None)).Count == 0, Settle, "the BYE over TLS reached the bridge");

        // The HTTPS pages' TLS policy: no TLS 1.0/1.1, and for 1.2 no suite without forward secrecy or AEAD.
        foreach (var old in new[] { "-tls1", "-tls1_1" })
        {
            var (_, refused) = await OpenSslClient.RunAsync(tlsTrunk.ToString(), old, "-cipher", "DEFAULT@SECLEVEL=0");
            Assert.True(OpenSslClient.RefusedVersion(refused), $"{old} on the SIP trunk:\n{refused}");
        }
        foreach (var cipher in new[] { "AES128-SHA", "ECDHE-ECDSA-AES128-SHA" })
        {
            var (_, cbc) = await OpenSslClient.RunAsync(tlsTrunk.ToString(), "-tls1_2", "-cipher", cipher);
            Assert.True(cbc.Contains("Cipher is (NONE)"), $"{cipher} on the SIP trunk:\n{cbc}");
        }

        // Without a selected certificate there is no TLS listener.
        await peer.Api("config.unset", new JsonObject { ["path"] = "certificates.serverCertificate" });
        await Eventually.WaitUntil(async () => (await SipApplier(0))?.Contains("(TLS)", StringComparison.Ordinal) == false, Settle,
            "the trunk stops listening for TLS", async () => await SipApplier(0) ?? "(no sip applier)");
    }

    private async Task<string?> SipApplier(int peer) =>
        (await f.Cluster[peer].Api("status"))["appliers"]!.AsArray().OfType<JsonObject>().FirstOrDefault(a => (string?)a["name"] == "sip")?["reason"]?.GetValue<string>();
}
