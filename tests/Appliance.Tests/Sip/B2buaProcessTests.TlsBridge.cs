using System.Net;
using System.Text.Json.Nodes;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

public partial class B2buaProcessTests
{
    /// <summary>
    /// Leg B over TLS to a bridge whose sipTransport is tls (CONFERENCING.md, "Transports toward the
    /// bridge"): the bridge's certificate is checked against certificates.trustedCa like its HTTPS
    /// API's. A bridge whose certificate another CA signed is shown unreachable by the watch's OPTIONS,
    /// naming the certificate and why; a new conference goes to the next bridge, and a call with no
    /// other bridge gets 503 saying why.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task Leg_b_over_tls_reaches_a_trusted_bridge_and_the_watch_shows_an_untrusted_one_unreachable_naming_why()
    {
        var peer = f.Cluster[0];
        using var dir = new TempDirectory();
        using var ca = TestPki.Ca("bridge sip ca");
        using var rogue = TestPki.Ca("rogue ca");
        await using var trusted = await StartTlsSim(dir, "good", ca);
        await using var untrusted = await StartTlsSim(dir, "bad", rogue);

        using var trunkCa = TestPki.Ca("leg b trunk ca");
        using var server = TestPki.Server(trunkCa, "sip.test", address: IPAddress.Parse(f.Rendezvous[0]));
        await peer.Api("certificates.addServer", new JsonObject { ["name"] = "trunk-b", ["pem"] = TestPki.Pem(server, trunkCa) + TestPki.KeyPem(server) });
        await peer.Api("certificates.addCa", new JsonObject { ["name"] = "bridges", ["pem"] = TestPki.Pem(ca) });
        await peer.Api("config.set", new JsonObject { ["path"] = "certificates.serverCertificate", ["values"] = new JsonArray("trunk-b") });
        await peer.Set("certificates.trustedCa", "bridges");
        try
        {
            foreach (var (name, sim) in new[] { ("tls-good", trusted), ("tls-bad", untrusted) })
            {
                await peer.Add("bridges", name, ("address", sim.Address), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"),
                    ("user", Bridges.BridgeSimFixture.User), ("password", Bridges.BridgeSimFixture.Password), ("type", "mcu"),
                    ("sipPort", $"{TlsSipPort}"), ("sipTransport", "tls"));
                await peer.Add("bridge-pools", $"pool-{name}", ("bridges", name));
            }
            await peer.Add("service-preferences", "pref-tls", ("pools", "pool-tls-bad,pool-tls-good"));
            await peer.Add("service-preferences", "pref-tls-bad", ("pools", "pool-tls-bad"));
            await peer.Add("templates", "tpl-tls", ("preference", "pref-tls"), ("lingerSeconds", "1"));
            await peer.Add("templates", "tpl-tls-bad", ("preference", "pref-tls-bad"), ("lingerSeconds", "1"));
            foreach (var (alias, template) in new[] { ("tls", "tpl-tls"), ("badtls", "tpl-tls-bad") })
                await peer.Add("conference-aliases", $"al-{alias}", ("pattern", $@"{alias}\.(\d+)"), ("conference", $"{alias}-$1"), ("role", "guest"),
                    ("priority", "40"), ("template", template));
            // Its API answers, but the OPTIONS of each watch round meets the untrusted certificate: placement passes it by.
            await Eventually.WaitUntil(async () => await SipApplier(0) is { } why && why.Contains("(TLS)", StringComparison.Ordinal)
                && (string?)(await peer.Api("conferences.place", new JsonObject { ["alias"] = "tls.0" }))["bridge"] == "tls-good"
                && (string?)(await BridgeStatus(0, "tls-bad"))["state"] == "unreachable", Settle,
                "peer 1 listens for TLS, shows tls-bad unreachable and places tls.0 on tls-good",
                async () => $"{await SipApplier(0)}; tls-bad: {(await BridgeStatus(0, "tls-bad")).ToJsonString()}");

            await using var caller = new SipCaller();
            var call = caller.Invite(f.Trunk(0), "tls.1");
            var ok = await call.Final;
            Assert.True(ok.StatusCode == 200, $"{ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
            Assert.Equal("tls-good", (string?)Assert.Single((await Calls(0)).OfType<JsonObject>())["bridge"]);
            using var goodApi = f.BridgeApi(trusted);
            await Eventually.WaitUntil(async () => (await goodApi.EnumerateParticipantsAsync("tls-1", None)).Count == 1, Settle, "the call is in tls-1 on tls-good, over TLS");
            var refused = (string?)(await BridgeStatus(0, "tls-bad"))["reason"];
            Assert.True(refused?.Contains("certificate 'CN=bad.sip.test'", StringComparison.Ordinal) == true
                && refused.Contains("not trusted by certificates.trustedCa 'bridges'", StringComparison.Ordinal), refused);

            var none = await caller.Invite(f.Trunk(0), "badtls.1").Final;
            Assert.Equal(503, none.StatusCode);
            Assert.Contains("not trusted by certificates.trustedCa 'bridges'", none.Headers[SipHeaderNames.Reason], StringComparison.Ordinal);

            Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode); // over the TLS connection to tls-good
            await Eventually.WaitUntil(async () => (await goodApi.EnumerateParticipantsAsync("tls-1", None)).Count == 0, Settle, "the BYE reached tls-good over TLS");
            await Eventually.WaitUntil(async () => (await Calls(0)).Count == 0, Settle, "the call is gone from peer 1");
        }
        finally
        {
            await peer.Api("config.unset", new JsonObject { ["path"] = "certificates.serverCertificate" });
            await peer.Api("config.unset", new JsonObject { ["path"] = "certificates.trustedCa" });
        }
    }

    private const int TlsSipPort = 25061;

    private static async Task<BridgeSimProcess> StartTlsSim(TempDirectory dir, string name, System.Security.Cryptography.X509Certificates.X509Certificate2 ca)
    {
        var address = LoopbackAddresses.Next();
        using var cert = TestPki.Server(ca, $"{name}.sip.test", address: IPAddress.Parse(address));
        File.WriteAllText(dir[$"{name}.pem"], TestPki.Pem(cert));
        File.WriteAllText(dir[$"{name}.key"], TestPki.KeyPem(cert));
        var sim = new BridgeSimProcess(address, ["--user", Bridges.BridgeSimFixture.User, "--password", Bridges.BridgeSimFixture.Password,
            "--sip-tls", $"{address}:{TlsSipPort}", "--cert", dir[$"{name}.pem"], "--key", dir[$"{name}.key"]]);
        try
        {
            await sim.StartAsync();
            return sim;
        }
        catch
        {
            await sim.DisposeAsync();
            throw;
        }
    }
}
