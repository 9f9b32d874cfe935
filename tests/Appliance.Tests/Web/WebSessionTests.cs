using System.Net;
using WebClient = Appliance.Tests.Support.WebClient;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>
/// Issue 22: failed logins are also counted per source address, and a logged-in session survives a
/// restart of the daemon (kept hashed in the peer's local store, never the cookie itself), and a new
/// admin password ends every session logged in before it.
/// </summary>
public sealed class WebSessionTests(WebPeer peer) : IClassFixture<WebPeer>
{
    [Fact(Timeout = 120_000)]
    public async Task An_address_that_sprays_names_is_held_even_after_a_good_login_elsewhere()
    {
        var attacker = LoopbackAddresses.Next();
        using var spray = peer.Client(from: attacker);
        foreach (var name in new[] { "root", "administrator", "user", "test" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await spray.LogInAsync(name, "guess")).StatusCode);
        // The admin logs in from elsewhere: the account's count starts again, the attacker's address keeps its own.
        using (var admin = peer.Client(from: LoopbackAddresses.Next()))
            Assert.Equal(HttpStatusCode.SeeOther, (await admin.LogInAsync(WebPeer.User, WebPeer.Password)).StatusCode);
        var fifth = await spray.LogInAsync("operator", "guess");
        Assert.Contains("this address is locked", await fifth.Content.ReadAsStringAsync());

        // Held: even the right password from that address is refused; another address still gets in (the account is not locked).
        var refused = await spray.LogInAsync(WebPeer.User, WebPeer.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("from this address", await refused.Content.ReadAsStringAsync());
        using (var other = peer.Client(from: LoopbackAddresses.Next()))
            Assert.Equal(HttpStatusCode.SeeOther, (await other.LogInAsync(WebPeer.User, WebPeer.Password)).StatusCode);

        // A restart gives the held address no tries back (the hold is kept in the local store).
        await peer.Daemon.RestartAsync();
        await WebClient.WaitServingAsync(peer.Address, WebBrowserTests.Port);
        using (var again = peer.Client(from: attacker))
            Assert.Contains("from this address", await (await again.LogInAsync(WebPeer.User, WebPeer.Password)).Content.ReadAsStringAsync());

        var events = (await peer.Daemon.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray()
            .Select(e => (string?)e!["message"] ?? "").ToList();
        Assert.Contains(events, m => m.Contains($"from {attacker}") && m.Contains("5 of 5 from this address; the address is held until"));
        Assert.Contains(events, m => m.Contains($"web login refused for 'admin' from {attacker}: the address is held"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_session_survives_a_restart_and_only_its_hash_is_stored()
    {
        using var client = peer.Client();
        Assert.Equal(HttpStatusCode.SeeOther, (await client.LogInAsync(WebPeer.User, WebPeer.Password)).StatusCode);
        var token = await client.TokenAsync("/");
        var cookie = client.Cookies.GetCookies(client.Base)["__Host-appliance-session"]!.Value;

        await peer.Daemon.RestartAsync();
        await WebClient.WaitServingAsync(peer.Address, WebBrowserTests.Port);
        var status = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Contains("<h1>Status</h1>", await status.Content.ReadAsStringAsync());
        Assert.Equal(token, await client.TokenAsync("/")); // forms opened before the restart still post

        var read = new List<string>();
        foreach (var file in Directory.GetFiles(peer.Daemon.DataDir, "*", SearchOption.AllDirectories))
        {
            string text;
            try { text = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)); }
            catch (IOException) { continue; } // the daemon's lock file
            Assert.DoesNotContain(cookie, text);
            read.Add(Path.GetFileName(file));
        }
        Assert.Contains("store.db", read);

        // Logging out ends it for good, also across the next restart.
        Assert.Equal(HttpStatusCode.SeeOther, (await client.PostAsync("/logout", [new("_token", token)])).StatusCode);
        await peer.Daemon.RestartAsync();
        await WebClient.WaitServingAsync(peer.Address, WebBrowserTests.Port);
        using var again = peer.Client();
        again.Cookies.Add(client.Base, new Cookie("__Host-appliance-session", cookie) { Secure = true, Path = "/" });
        Assert.Equal(HttpStatusCode.Found, (await again.GetAsync("/")).StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_new_admin_password_ends_every_session_logged_in_before_it()
    {
        using var before = peer.Client();
        Assert.Equal(HttpStatusCode.SeeOther, (await before.LogInAsync(WebPeer.User, WebPeer.Password)).StatusCode);
        var token = await before.TokenAsync("/");
        try
        {
            // Set over the API, as it would come from another peer or an SSH session: not through this session.
            await peer.Daemon.Set("admin.password", "a-new-one-for-this-test");

            Assert.Equal(HttpStatusCode.Found, (await before.GetAsync("/")).StatusCode); // to the login
            Assert.Equal(HttpStatusCode.Forbidden, (await before.PostAsync("/logout", [new("_token", token)])).StatusCode);
            using var old = peer.Client();
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.LogInAsync(WebPeer.User, WebPeer.Password)).StatusCode);
            using var fresh = peer.Client();
            Assert.Equal(HttpStatusCode.SeeOther, (await fresh.LogInAsync(WebPeer.User, "a-new-one-for-this-test")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/")).StatusCode);

            var events = (await peer.Daemon.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray()
                .Select(e => (string?)e!["message"] ?? "").ToList();
            Assert.Contains(events, m => m.StartsWith("web session of admin ended: the admin account's password", StringComparison.Ordinal));
        }
        finally
        {
            await peer.Daemon.Set("admin.password", WebPeer.Password); // the class's other tests log in with it
        }
    }
}
