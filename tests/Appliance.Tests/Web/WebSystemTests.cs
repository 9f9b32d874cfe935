using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>
/// Issue 22: System > DNS, Time, SNMP and Syslog in a real headless Chromium: a value changed on
/// each page is what `config show` answers afterwards, and a refused value is shown beside its
/// field with what was typed, nothing stored.
/// </summary>
public sealed class WebSystemTests(WebPeer peer) : IClassFixture<WebPeer>
{
    [Fact(Timeout = 180_000)]
    public async Task Each_system_page_saves_its_section_and_shows_a_refusal_beside_the_field()
    {
        Assert.True(Chromium.Installed, $"{Chromium.Program} is missing: apt-get install chromium (build.sh's APT_PACKAGES)");
        await using var browser = await Chromium.StartAsync();
        var page = await browser.NewPageAsync();
        string Url(string path) => $"https://{peer.Address}:{WebBrowserTests.Port}{path}";
        await page.GoAsync(Url("/login"));
        await page.FillAsync("#user", WebPeer.User);
        await page.FillAsync("#password", WebPeer.Password);
        await page.ClickAndWaitAsync("#login-button");

        (string Page, string Form, string Field, string Value, string Section)[] changes =
        [
            ("dns", "dns", "servers", "192.0.2.53", "dns"),
            ("time", "time", "zone", "Europe/Paris", "time"),
            ("time", "ntp", "servers", "ntp1.example.org", "ntp"),
            ("snmp", "snmp", "contact", "noc@example.org", "snmp"),
            ("syslog", "syslog", "servers", "192.0.2.10:514/udp", "syslog"),
        ];
        foreach (var (path, form, field, value, section) in changes)
        {
            await page.GoAsync(Url($"/system/{path}"));
            await page.FillAsync($"#edit-{form} #f-{field}", value);
            await page.ClickAndWaitAsync($"#save-{form}");
            Assert.True((await page.TextAsync(".flash"))?.Contains($"Saved {section}: {field}") == true, await page.BodyTextAsync());
            Assert.Equal(value, await page.EvalAsync($"document.querySelector('#edit-{form} #f-{field}').value") is { } v ? (string?)v : null);
            Assert.Contains(value, (await Shown(section))[field]!.ToJsonString());
            await page.ScreenshotAsync(Path.Combine(WebBrowserTests.Screenshots, $"system-{path}.png"));
        }

        // A refusal beside its field, with what was typed kept; the stored value stays.
        await page.GoAsync(Url("/system/syslog"));
        await page.FillAsync("#edit-syslog #f-servers", "192.0.2.10:99999");
        await page.ClickAndWaitAsync("#save-syslog");
        var error = await page.TextAsync("#edit-syslog #f-servers ~ .field-error");
        Assert.True(error?.Contains("99999") == true, await page.BodyTextAsync());
        Assert.Equal("192.0.2.10:99999", (string?)await page.EvalAsync("document.querySelector('#edit-syslog #f-servers').value"));
        Assert.Contains("192.0.2.10:514/udp", (await Shown("syslog"))["servers"]!.ToJsonString());
        await page.ScreenshotAsync(Path.Combine(WebBrowserTests.Screenshots, "system-syslog-refused.png"));

        // The configuration log names the page's channel and user.
        var log = (await peer.Daemon.Api("log.read", new JsonObject { ["log"] = "config" }))["entries"]!.AsArray();
        Assert.Contains(log, e => (string?)e!["channel"] == "web" && (string?)e["onBehalfOf"] == "admin" && e.ToJsonString().Contains("ntp1.example.org"));
    }

    private async Task<JsonObject> Shown(string section) =>
        (await peer.Daemon.Api("config.show", new JsonObject { ["section"] = section }))["sections"]![0]!["values"]!.AsObject();
}
