using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Web;

/// <summary>
/// Issue 22: the HTTPS pages in a real headless Chromium against two real peers on loopback, the way
/// the vendor guide does it: log in, form the cluster through System > Clustering on both peers and
/// see "Active as ..." in green, change shared configuration on one and see it on the other, a
/// refusal shown beside its field, download a backup and upload it back. Screenshots of the pages
/// go to web-screenshots/ beside the test assembly.
/// </summary>
public sealed class WebBrowserTests(ITestOutputHelper output)
{
    public const int Port = 8443;
    public const string Password = "Web-admin-pass-1";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    public static string Screenshots => Path.Combine(AppContext.BaseDirectory, "web-screenshots");

    [Fact(Timeout = 300_000)]
    public async Task The_guides_procedures_work_in_a_browser_on_two_peers()
    {
        Assert.True(Chromium.Installed, $"{Chromium.Program} is missing: apt-get install chromium (build.sh's APT_PACKAGES)");
        await using var cluster = await TestCluster.StartAsync(2, "w", _ => ["--web-port", $"{Port}"]);
        foreach (var peer in cluster.Peers)
        {
            await peer.Set("admin.password", Password);
            await TestLicences.InstallFullAsync((c, args) => peer.Api(c, args)); // R14: Essentials cannot cluster
            await WebClient.WaitServingAsync(peer.Bind!, Port);
        }
        await using var browser = await Chromium.StartAsync();
        var a = await browser.NewPageAsync();
        var b = await browser.NewPageAsync();
        string Url(int peer, string path) => $"https://{cluster.Address(peer)}:{Port}{path}";

        // No session: the page is the login.
        await a.GoAsync(Url(0, "/system/clustering"));
        Assert.EndsWith("/login", await a.UrlAsync());
        await a.ScreenshotAsync(Path.Combine(Screenshots, "login.png"));
        await LogInAsync(a);
        await LogInAsync(b, Url(1, "/login"));

        // Maintenance > Backup and restore on the standalone peer (a clustered one is refused, below): create, download,
        // upload it back; the peer restarts with it and its pages come back.
        await a.GoAsync(Url(0, "/maintenance/backup"));
        await a.ClickAndWaitAsync("#create-button");
        Assert.Contains("written", await a.TextAsync(".flash"));
        await a.ScreenshotAsync(Path.Combine(Screenshots, "maintenance-backup.png"));
        var name = (string)(await cluster[0].Api("backup.list"))["backups"]![0]!["name"]!;
        await a.ClickAsync("#backups a.download");
        var downloaded = Path.Combine(browser.Downloads, name);
        await Eventually.WaitUntil(() => Task.FromResult(File.Exists(downloaded) && new FileInfo(downloaded).Length > 0), Settle, $"the browser downloads {name}");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(cluster[0].DataDir, "backups", name)), await File.ReadAllBytesAsync(downloaded));
        await a.SetFileAsync("#restore-file", downloaded);
        await Task.Delay(1100); // the restarted daemon's uptime then starts below this one's
        var uptime = (long)(await cluster[0].Api("status"))["uptimeSeconds"]!;
        await a.ClickAndWaitAsync("#restore-button");
        Assert.True((await a.TextAsync("#restored"))?.Contains("restarts") == true, await a.BodyTextAsync());
        await Eventually.WaitUntil(async () => (long)(await cluster[0].Api("status"))["uptimeSeconds"]! < uptime, Settle, "peer 1 restarts with the restored store");
        await Eventually.WaitUntil(async () =>
        {
            try { await a.GoAsync(Url(0, "/login")); return await a.TextAsync("#login-button") is not null; }
            catch (ChromiumException) { return false; }
        }, Settle, "peer 1's pages come back after the restore");
        await LogInAsync(a, Url(0, "/login"));

        // The guide's Task 2 on peer 1: key and its own address, Save -> "This system" in green.
        await a.GoAsync(Url(0, "/system/clustering"));
        await a.FillAsync("#key", TestCluster.Key);
        await a.FillAsync("#peer1", cluster.Address(0));
        await a.ClickAndWaitAsync("#save");
        Assert.Contains("Saved", await a.TextAsync(".flash"));
        Assert.Equal("This system", await a.TextAsync("#status1 span"));
        Assert.Equal("ok", await a.ClassAsync("#status1 span"));

        // Peer 1 lists peer 2 first, then peer 2 gets the key and the same list (Task 3).
        await a.FillAsync("#peer2", cluster.Address(1));
        await a.ClickAndWaitAsync("#save");
        Assert.True((await a.TextAsync(".flash"))?.Contains("Saved") == true, await a.BodyTextAsync());
        await b.GoAsync(Url(1, "/system/clustering"));
        await b.FillAsync("#key", TestCluster.Key);
        await b.FillAsync("#peer1", cluster.Address(0));
        await b.FillAsync("#peer2", cluster.Address(1));
        await b.ClickAndWaitAsync("#save");
        Assert.True((await b.TextAsync(".flash"))?.Contains("Saved") == true, await b.BodyTextAsync());
        await WaitForStatusAsync(a, Url(0, "/system/clustering"), "#status2 span", $"Active as {cluster.Host(1)}");
        // Joining replaced peer 2's admin account by the cluster's (R9; same text here, another hash): the session
        // logged in under the old one has ended. Once the cluster's account is there, the admin logs in again.
        await Eventually.WaitUntil(async () =>
        {
            await b.GoAsync(Url(1, "/system/clustering"));
            return (await b.UrlAsync()).EndsWith("/login", StringComparison.Ordinal);
        }, Settle, "peer 2's session logged in before the join ends");
        await Eventually.WaitUntil(async () => (await cluster[1].Api("cluster.verify"))["collections"]!.AsArray()
            .Any(c => (string?)c!["collection"] == "cluster/admin" && (string?)c["state"] == "same"), Settle, "the cluster's admin account reaches peer 2");
        await LogInAsync(b, Url(1, "/login"));
        await WaitForStatusAsync(b, Url(1, "/system/clustering"), "#status1 span", $"Active as {cluster.Host(0)}");
        Assert.Equal("ok", await a.ClassAsync("#status2 span"));
        Assert.Equal("ok", await b.ClassAsync("#status1 span"));
        Assert.DoesNotContain(TestCluster.Key, await a.HtmlAsync());
        await a.ScreenshotAsync(Path.Combine(Screenshots, "system-clustering.png"));
        await a.GoAsync(Url(0, "/maintenance/licences"));
        Assert.Contains("Full", await a.TextAsync("#licence"));
        await a.ScreenshotAsync(Path.Combine(Screenshots, "licences.png"));
        await a.GoAsync(Url(0, "/maintenance/upgrade"));
        await a.ScreenshotAsync(Path.Combine(Screenshots, "maintenance-upgrade.png"));
        await a.GoAsync(Url(0, "/"));
        Assert.Equal("ok", await a.ClassAsync("#peers tr:nth-child(3) .status span"));
        await a.ScreenshotAsync(Path.Combine(Screenshots, "status.png"));

        // Shared configuration: a location added on peer 1 shows on peer 2's page; an edit on peer 2 shows on peer 1's.
        await a.GoAsync(Url(0, "/configuration/locations"));
        await a.FillAsync("#f-name", "lab");
        await a.FillAsync("#f-description", "added in the browser");
        await a.ClickAndWaitAsync("#add-button");
        Assert.Contains("Added lab", await a.TextAsync(".flash"));
        await WaitForTextAsync(b, Url(1, "/configuration/locations"), "#items", "added in the browser");
        await b.GoAsync(Url(1, "/configuration/locations/lab"));
        await b.FillAsync("#f-description", "edited on the second peer");
        await b.ClickAndWaitAsync("#save");
        await WaitForTextAsync(a, Url(0, "/configuration/locations"), "#items", "edited on the second peer");
        await a.ScreenshotAsync(Path.Combine(Screenshots, "configuration-locations.png"));
        var log = (await cluster[1].Api("log.read", new JsonObject { ["log"] = "config" }))["entries"]!.AsArray();
        var edit = log.Last(e => (string?)e!["channel"] == "web")!;
        Assert.Equal("admin", (string?)edit["onBehalfOf"]);
        await b.GoAsync(Url(1, "/logs?log=config"));
        Assert.Contains("on behalf of admin (web)", await b.TextAsync("#log"));
        await b.ScreenshotAsync(Path.Combine(Screenshots, "logs-config.png"));

        // A refusal beside its field, with what was typed kept; nothing stored.
        await a.GoAsync(Url(0, "/configuration/bridges"));
        await a.FillAsync("#f-name", "mcu1");
        await a.FillAsync("#f-address", "127.0.0.1");
        await a.FillAsync("#f-port", "99999");
        await a.ClickAndWaitAsync("#add-button");
        var error = await a.TextAsync("#f-port ~ .field-error");
        Assert.NotNull(error);
        Assert.Contains("99999", error);
        Assert.Equal("99999", (string?)await a.EvalAsync("document.querySelector('#f-port').value"));
        Assert.Null(await a.TextAsync("#f-address ~ .field-error"));
        await a.ScreenshotAsync(Path.Combine(Screenshots, "validation-error.png"));
        Assert.Empty((await cluster[0].Api("config.show", new JsonObject { ["section"] = "bridges" }))["sections"]![0]!["items"]!.AsArray());

        // A clustered peer refuses a restore, and the page says why (the guide: take it out first).
        await a.GoAsync(Url(0, "/maintenance/backup"));
        await a.SetFileAsync("#restore-file", downloaded);
        await a.ClickAndWaitAsync("#restore-button");
        Assert.Contains("take it out first", await a.TextAsync(".error"));
        // Maintenance > Restart on peer 2: the daemon restarts, its pages and the cluster come back.
        var before = (long)(await cluster[1].Api("status"))["uptimeSeconds"]!;
        await Task.Delay(1100);
        await b.GoAsync(Url(1, "/maintenance/restart"));
        await b.ClickAndWaitAsync("#restart-button");
        Assert.Contains("restarting", await b.TextAsync("#restarting"));
        await Eventually.WaitUntil(async () => (long)(await cluster[1].Api("status"))["uptimeSeconds"]! <= before, Settle, "peer 2 restarts");
        await WebClient.WaitServingAsync(cluster.Address(1), Port);
        // The session outlives the restart (kept hashed in the peer's local store): no new login.
        await WaitForStatusAsync(b, Url(1, "/system/clustering"), "#status1 span", $"Active as {cluster.Host(0)}");
        output.WriteLine($"screenshots in {Screenshots}");
    }

    private static async Task LogInAsync(ChromiumPage page, string? url = null)
    {
        if (url is not null) await page.GoAsync(url);
        await page.FillAsync("#user", "admin");
        await page.FillAsync("#password", Password);
        await page.ClickAndWaitAsync("#login-button");
        Assert.Equal("Status", await page.TextAsync("h1"));
    }

    private static Task WaitForStatusAsync(ChromiumPage page, string url, string selector, string text) =>
        Eventually.WaitUntil(async () =>
        {
            await page.GoAsync(url);
            return await page.TextAsync(selector) == text;
        }, Settle, $"{url} shows '{text}' at {selector}", async () => await page.BodyTextAsync(), pollMs: 500);

    private static Task WaitForTextAsync(ChromiumPage page, string url, string selector, string text) =>
        Eventually.WaitUntil(async () =>
        {
            await page.GoAsync(url);
            return (await page.TextAsync(selector))?.Contains(text, StringComparison.Ordinal) == true;
        }, Settle, $"{url} shows '{text}'", async () => await page.BodyTextAsync(), pollMs: 500);
}
