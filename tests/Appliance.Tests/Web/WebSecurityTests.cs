using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>
/// Issue 22's security points on a real peer over real HTTPS: no page or form without a session,
/// the session's token on every form, secrets never in a page or a URL, the cookie's flags and the
/// secure headers, TLS below 1.2 refused, and changes logged as channel web on behalf of the user.
/// </summary>
public sealed class WebSecurityTests(WebPeer peer) : IClassFixture<WebPeer>
{
    private static readonly string[] Pages =
        ["/", "/system/clustering", "/system/network", "/configuration", "/configuration/locations", "/configuration/dns",
         "/maintenance/backup", "/maintenance/restart", "/maintenance/upgrade", "/maintenance/licences", "/logs", "/logs?log=config",
         "/maintenance/backup/download?name=x"];

    private static readonly string[] Forms =
        ["/system/clustering", "/configuration/locations/add", "/configuration/dns", "/configuration/locations/x/delete",
         "/maintenance/backup/create", "/maintenance/backup/restore", "/maintenance/upgrade", "/maintenance/licences", "/maintenance/restart", "/logout"];

    [Fact(Timeout = 120_000)]
    public async Task No_page_and_no_form_without_a_session()
    {
        using var client = peer.Client();
        foreach (var page in Pages)
        {
            var answer = await client.GetAsync(page);
            Assert.Equal(HttpStatusCode.Found, answer.StatusCode);
            Assert.Equal("/login", answer.Headers.Location?.ToString());
        }
        // A token from the login page is no session: the forms still refuse.
        var token = await client.TokenAsync("/login");
        foreach (var form in Forms)
        {
            var answer = await client.PostAsync(form, [new("_token", token), new("name", "x"), new("key", "k")]);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }
        Assert.DoesNotContain(Items(await peer.Daemon.Api("config.show", new JsonObject { ["section"] = "locations" })), i => (string?)i!["name"] == "x");
        Assert.True(peer.Daemon.Running, "a refused restart form restarts nothing");
    }

    [Fact(Timeout = 120_000)]
    public async Task Every_form_needs_its_sessions_token()
    {
        using var client = await peer.LoggedInAsync();
        using var other = await peer.LoggedInAsync();
        var othersToken = await other.TokenAsync("/configuration/locations");
        foreach (var token in new[] { null, "", "forged", othersToken })
        {
            List<KeyValuePair<string, string>> fields = [new("name", "no-token"), new("description", "x")];
            if (token is not null) fields.Add(new("_token", token));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/configuration/locations/add", fields)).StatusCode);
        }
        Assert.DoesNotContain("no-token", (await peer.Daemon.Api("config.show", new JsonObject { ["section"] = "locations" })).ToJsonString());

        // The login form has its token too (no logging a victim in from another site).
        using var fresh = peer.Client();
        Assert.Equal(HttpStatusCode.Forbidden, (await fresh.PostAsync("/login", [new("user", WebPeer.User), new("password", WebPeer.Password)])).StatusCode);

        // With the token the same form works, and the configuration log names the channel and the user.
        var done = await client.SubmitAsync("/configuration/locations", "/configuration/locations/add", ("name", "with-token"), ("description", "x"));
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
        var entry = (await peer.Daemon.Api("log.read", new JsonObject { ["log"] = "config" }))["entries"]!.AsArray()
            .Last(e => ((string?)e!["field"])?.StartsWith("locations.with-token", StringComparison.Ordinal) == true)!;
        Assert.Equal("web", (string?)entry["channel"]);
        Assert.Equal(WebPeer.User, (string?)entry["onBehalfOf"]);

        // Logging out ends the session: its pages and its token are gone.
        var token2 = await client.TokenAsync("/");
        Assert.Equal(HttpStatusCode.SeeOther, (await client.PostAsync("/logout", [new("_token", token2)])).StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await client.GetAsync("/")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Secrets_are_never_in_a_page_or_a_url()
    {
        const string clusterKey = "cluster-key-never-shown-4711";
        const string bridgePassword = "bridge-password-never-shown-4712";
        await peer.Daemon.Api("cluster.setKey", new JsonObject { ["key"] = clusterKey });
        await peer.Daemon.Api("config.add", new JsonObject
        {
            ["section"] = "bridges", ["name"] = "secretive",
            ["fields"] = new JsonObject { ["address"] = "127.0.0.1", ["password"] = bridgePassword },
        });
        using var client = await peer.LoggedInAsync();
        // A refused form that carried the key does not echo it either.
        var refused = await client.SubmitAsync("/system/clustering", "/system/clustering", ("key", clusterKey + "-typed"), ("peer1", "999.1.1.1"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var seen = new List<string> { await refused.Content.ReadAsStringAsync() };
        foreach (var page in Pages.Concat(["/configuration/bridges", "/configuration/bridges/secretive", "/configuration/admin"]))
        {
            var answer = await client.GetAsync(page);
            seen.Add($"{page} -> {answer.Headers.Location}\n{await answer.Content.ReadAsStringAsync()}");
        }
        foreach (var text in seen)
        {
            foreach (var secret in new[] { clusterKey, bridgePassword, WebPeer.Password, "$6$", "$y$" })
                Assert.DoesNotContain(secret, text);
        }
        Assert.Contains("secretive", string.Concat(seen)); // the pages were read, not refused
        Assert.Contains("type=\"password\"", seen[0]);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_cookie_is_secure_httponly_strict_and_every_answer_has_the_secure_headers()
    {
        using var client = peer.Client();
        var login = await client.GetAsync("/login");
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("__Host-", cookie);
        foreach (var flag in new[] { "secure", "httponly", "samesite=strict", "path=/" })
            Assert.Contains(flag, cookie, StringComparison.OrdinalIgnoreCase);
        foreach (var answer in new[] { login, await client.GetAsync("/"), await client.GetAsync("/app.css") })
        {
            Assert.Equal("max-age=31536000", answer.Headers.GetValues("Strict-Transport-Security").Single());
            var csp = answer.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("default-src 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", answer.Headers.GetValues("Referrer-Policy").Single());
        }
        Assert.DoesNotContain("<script", await login.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-tls1", false)]
    [InlineData("-tls1_1", false)]
    [InlineData("-tls1_2", true)]
    [InlineData("-tls1_3", true)]
    public async Task Tls_below_1_2_is_refused(string version, bool accepted)
    {
        // SECLEVEL=0 lets the client offer the old versions, so a refusal is the server's.
        var (exit, output) = await SClientAsync(version, "-cipher", "DEFAULT@SECLEVEL=0");
        if (accepted)
            Assert.True(exit == 0 && !output.Contains("Cipher is (NONE)"), output);
        else
            Assert.True(OpenSslClient.RefusedVersion(output), output); // the server's refusal
    }

    [Fact(Timeout = 60_000)]
    public async Task Tls_1_2_takes_only_forward_secret_aead_suites()
    {
        foreach (var cipher in new[] { "AES128-SHA", "AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA" })
        {
            var (_, output) = await SClientAsync("-tls1_2", "-cipher", cipher);
            Assert.True(output.Contains("Cipher is (NONE)"), $"{cipher}:\n{output}");
        }
        var (exit, good) = await SClientAsync("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");
        Assert.True(exit == 0 && good.Contains("ECDHE-ECDSA-AES128-GCM-SHA256"), good);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_upload_is_checked_by_its_command_and_needs_the_token_first()
    {
        using var client = await peer.LoggedInAsync();
        var before = (await peer.Daemon.Api("upgrade.status")).ToJsonString();
        async Task<HttpResponseMessage> InstallAsync(string? token)
        {
            var form = new MultipartFormDataContent();
            if (token is not null) form.Add(new StringContent(token), "_token");
            form.Add(new ByteArrayContent("not a signature"u8.ToArray()), "signature", "p.sig");
            form.Add(new ByteArrayContent(new byte[4096]), "package", "p.tar.gz");
            return await client.PostAsync(new HttpRequestMessage(HttpMethod.Post, "/maintenance/upgrade") { Content = form });
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await InstallAsync(null)).StatusCode);
        var refused = await InstallAsync(await client.TokenAsync("/maintenance/upgrade"));
        var page = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("Not installed: ", page);
        Assert.Equal(before, (await peer.Daemon.Api("upgrade.status")).ToJsonString());
    }

    [Fact(Timeout = 60_000)]
    public async Task The_selected_server_certificate_is_served_without_a_restart()
    {
        var selfSigned = await ServedCertificateAsync();
        Assert.Equal(selfSigned.Subject, selfSigned.Issuer); // made at the first start
        using var ca = TestPki.Ca("web-test-ca");
        using var server = TestPki.Server(ca, "peer.web.test", address: System.Net.IPAddress.Parse(peer.Address));
        await peer.Daemon.Api("certificates.addServer", new JsonObject { ["name"] = "web", ["pem"] = TestPki.Pem(server, ca) + TestPki.KeyPem(server) });
        await peer.Daemon.Set("certificates.serverCertificate", "web");

        var served = await ServedCertificateAsync();
        Assert.Equal(server.Thumbprint, served.Thumbprint);
        using var client = await peer.LoggedInAsync();
        Assert.DoesNotContain("PRIVATE KEY", await client.GetTextAsync("/configuration/certificates"));
    }

    private async Task<X509Certificate2> ServedCertificateAsync()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(peer.Address, WebBrowserTests.Port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = peer.Address });
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }

    private Task<(int Exit, string Output)> SClientAsync(params string[] args) =>
        OpenSslClient.RunAsync($"{peer.Address}:{WebBrowserTests.Port}", args);

    private static JsonArray Items(JsonNode shown) => shown["sections"]![0]!["items"]!.AsArray();
}
