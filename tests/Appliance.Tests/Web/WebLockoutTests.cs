using System.Net;
using WebClient = Appliance.Tests.Support.WebClient;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>Issue 22: five wrong passwords lock the web login for a while, each failure in the event log.</summary>
public sealed class WebLockoutTests(WebPeer peer) : IClassFixture<WebPeer>
{
    [Fact(Timeout = 120_000)]
    public async Task Five_wrong_passwords_lock_the_account_and_each_is_logged()
    {
        using var client = peer.Client();
        for (var i = 1; i <= 5; i++)
        {
            var answer = await client.LogInAsync(WebPeer.User, $"wrong-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            var page = await answer.Content.ReadAsStringAsync();
            Assert.Contains("Wrong user name or password", page);
            Assert.Equal(i == 5, page.Contains("locked"));
            Assert.DoesNotContain($"wrong-{i}", page);
        }
        // Locked: the right password does not get in either, and no session cookie comes with the refusal.
        var refused = await client.LogInAsync(WebPeer.User, WebPeer.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("locked until", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Found, (await client.GetAsync("/")).StatusCode);

        // Nor after a restart: the lock is kept in the local store, so restarting the daemon gives no tries back.
        await peer.Daemon.RestartAsync();
        await WebClient.WaitServingAsync(peer.Address, WebBrowserTests.Port);
        using var after = peer.Client();
        var still = await after.LogInAsync(WebPeer.User, WebPeer.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, still.StatusCode);
        Assert.Contains("locked until", await still.Content.ReadAsStringAsync());

        var events = (await peer.Daemon.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray()
            .Select(e => (string?)e!["message"] ?? "").ToList();
        Assert.Equal(5, events.Count(m => m.StartsWith("web login failed for 'admin'", StringComparison.Ordinal)));
        Assert.Contains(events, m => m.Contains("(5 of 5); the account is locked"));
        Assert.DoesNotContain(events, m => m.Contains("wrong-"));
    }
}

/// <summary>Issue 22: a session unused for longer than the idle time ends (this peer's: 3 s).</summary>
public sealed class WebIdleTests(ShortIdleWebPeer peer) : IClassFixture<ShortIdleWebPeer>
{
    [Fact(Timeout = 60_000)]
    public async Task An_idle_session_ends()
    {
        using var client = peer.Client();
        Assert.Equal(HttpStatusCode.SeeOther, (await client.LogInAsync(WebPeer.User, WebPeer.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(4)); // past the idle time: the expiry needs at least this much, never less
        Assert.Equal(HttpStatusCode.Found, (await client.GetAsync("/")).StatusCode);
    }
}
