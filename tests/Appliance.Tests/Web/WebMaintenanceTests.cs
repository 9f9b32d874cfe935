using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Appliance.Tests.Backup;
using Appliance.Tests.Maintenance;
using Appliance.Tests.Support;
using Appliance.Tests.Upgrade;
using Xunit.Abstractions;

namespace Appliance.Tests.Web;

/// <summary>
/// Issue 22: Maintenance > Backup and restore and Maintenance > Upgrade in a real headless Chromium
/// on one real peer that reports version 1.0.0: a damaged backup and a package signed by another key
/// are refused beside their fields; a good backup goes through its stages and the peer restarts
/// with it; a real signed 2.0.0 (the same daemon, reporting 2.0.0) goes through receiving,
/// verifying and unpacking, the peer restarts into it (execv, no systemd here), confirms it, and the
/// page shows the upgrade ready.
/// </summary>
public sealed class WebMaintenanceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 300_000)]
    public async Task Restore_and_upgrade_uploaded_through_the_pages_show_their_stages_and_outcome()
    {
        Assert.True(Chromium.Installed, $"{Chromium.Program} is missing: apt-get install chromium (build.sh's APT_PACKAGES)");
        using var dir = new TempDir();
        var root = dir["software"];
        await using var peer = new StandaloneDaemon(bind: true,
            extraArgs: ["--web-port", $"{WebBrowserTests.Port}", "--install-root", root, "--report-version", "1.0.0", "--upgrade-ready-seconds", "120"]);
        var d = peer.Daemon;
        try
        {
            await d.StartAsync();
            await d.Set("admin.password", WebPeer.Password);
            await WebClient.WaitServingAsync(d.Bind!, WebBrowserTests.Port);
            await using var browser = await Chromium.StartAsync();
            var page = await browser.NewPageAsync();
            string Url(string path) => $"https://{d.Bind}:{WebBrowserTests.Port}{path}";
            await LogInAsync(page, Url("/login"));

            // Restore: a file that is no backup is refused beside the file field; a real backup shows its stages, and the peer restarts with it.
            var junk = dir["junk.tar.gz"];
            await File.WriteAllBytesAsync(junk, RandomNumberGenerator.GetBytes(4096));
            await page.GoAsync(Url("/maintenance/backup"));
            await page.SetFileAsync("#restore-file", junk);
            await page.ClickAndWaitAsync("#restore-button");
            Assert.Contains("refused", await page.TextAsync("#restore-file ~ .field-error") ?? await page.BodyTextAsync());
            var name = (string)(await d.Api("backup.create"))["name"]!;
            await page.SetFileAsync("#restore-file", Path.Combine(d.DataDir, "backups", name));
            await page.ClickAndWaitAsync("#restore-button");
            Assert.True((await page.TextAsync("#restored"))?.Contains("restarts") == true, await page.BodyTextAsync());
            var stages = await page.TextAsync("#stages") ?? "";
            Assert.Contains("receiving", stages);
            Assert.Contains("extracting", stages);
            await page.ScreenshotAsync(Path.Combine(WebBrowserTests.Screenshots, "maintenance-restore-done.png"));
            await Eventually.WaitUntil(() => Task.FromResult(d.Output.Contains("store swapped in")), Settle, "the peer restarts with the restored store", () => Task.FromResult(d.Tail()));
            await WebClient.WaitServingAsync(d.Bind!, WebBrowserTests.Port);
            await LogInAsync(page, Url("/login"));

            // Upgrade: a package signed by another key is refused beside the package field; nothing is pending.
            var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var (forged, forgedSig) = await PackageBuilder.BuildAsync(dir, "3.0.0", other);
            await page.GoAsync(Url("/maintenance/upgrade"));
            await page.SetFileAsync("#signature", forgedSig);
            await page.SetFileAsync("#package", forged);
            await page.ClickAndWaitAsync("#install-button");
            var refusal = await page.TextAsync("#package ~ .field-error");
            Assert.True(refusal?.Contains("signature") == true, await page.BodyTextAsync());
            await page.ScreenshotAsync(Path.Combine(WebBrowserTests.Screenshots, "maintenance-upgrade-refused.png"));
            Assert.Equal("none", (string?)(await d.Api("upgrade.status"))["pending"]);

            // A real signed 2.0.0: the same daemon, told to report 2.0.0 (the restart replays our options, then the script's).
            var (package, signature) = await PackageBuilder.BuildAsync(dir, "2.0.0",
                program: $"#!/bin/sh\nexec dotnet {DaemonProcess.Dll} \"$@\" --report-version 2.0.0\n");
            await page.SetFileAsync("#signature", signature);
            await page.SetFileAsync("#package", package);
            await page.ClickAndWaitAsync("#install-button");
            Assert.True((await page.TextAsync("#installed"))?.Contains("2.0.0") == true, await page.BodyTextAsync());
            stages = await page.TextAsync("#stages") ?? "";
            foreach (var stage in new[] { "receiving", "verifying", "unpacking" }) Assert.Contains(stage, stages);
            await page.ScreenshotAsync(Path.Combine(WebBrowserTests.Screenshots, "maintenance-upgrade-installed.png"));

            // The peer restarts into 2.0.0 and confirms it; the page (after a new login) shows the upgrade ready.
            await Eventually.WaitUntil(async () =>
            {
                try { return (string?)(await d.Api("status"))["version"] == "2.0.0"; }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException) { return false; }
            }, Settle, "the peer runs 2.0.0", () => Task.FromResult(d.Tail()));
            await WebClient.WaitServingAsync(d.Bind!, WebBrowserTests.Port);
            await Eventually.WaitUntil(async () =>
            {
                await page.GoAsync(Url("/maintenance/upgrade"));
                if (await page.TextAsync("#login-button") is not null) await LogInAsync(page, null, then: Url("/maintenance/upgrade"));
                return (await page.TextAsync("#upgrade-last"))?.Contains("1.0.0 -> 2.0.0: ready") == true;
            }, Settle, "the upgrade page shows 2.0.0 confirmed", async () => await page.BodyTextAsync(), pollMs: 1000);
            await page.ScreenshotAsync(Path.Combine(WebBrowserTests.Screenshots, "maintenance-upgrade-ready.png"));
            output.WriteLine($"screenshots in {WebBrowserTests.Screenshots}");
        }
        finally
        {
            output.WriteLine(d.Tail(80));
            UpgradeProcessTests.KillStartedFrom(root); // the watchdog, started from the install root
        }
    }

    private static async Task LogInAsync(ChromiumPage page, string? url, string? then = null)
    {
        if (url is not null) await page.GoAsync(url);
        await page.FillAsync("#user", WebPeer.User);
        await page.FillAsync("#password", WebPeer.Password);
        await page.ClickAndWaitAsync("#login-button");
        Assert.Equal("Status", await page.TextAsync("h1"));
        if (then is not null) await page.GoAsync(then);
    }
}
