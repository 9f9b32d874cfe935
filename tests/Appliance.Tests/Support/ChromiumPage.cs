using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Tests.Support;

/// <summary>One tab: navigate, read and fill the page, click and wait for the next page, screenshots.</summary>
public sealed class ChromiumPage(Chromium browser, string session)
{
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(60);

    internal Task<JsonObject> SendAsync(string method, JsonObject? parameters = null) => browser.SendAsync(method, parameters, session);

    public async Task GoAsync(string url)
    {
        await MarkAsync();
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await WaitNewPageAsync($"load {url}");
    }

    /// <summary>Evaluates a JavaScript expression in the page (DevTools is not bound by the page's CSP) and returns its value.</summary>
    public async Task<JsonNode?> EvalAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result["exceptionDetails"] is { } error) throw new ChromiumException($"{expression}: {error.ToJsonString()}");
        return result["result"]?["value"]?.DeepClone();
    }

    public async Task<string> UrlAsync() => (string?)await EvalAsync("location.href") ?? "";

    /// <summary>The text of the first element matching <paramref name="selector"/>, or null when there is none.</summary>
    public async Task<string?> TextAsync(string selector) =>
        (string?)await EvalAsync($"(e => e ? e.innerText : null)(document.querySelector({Js(selector)}))");

    /// <summary>The class of the first element matching <paramref name="selector"/>, or null.</summary>
    public async Task<string?> ClassAsync(string selector) =>
        (string?)await EvalAsync($"(e => e ? e.className : null)(document.querySelector({Js(selector)}))");

    public async Task<string> BodyTextAsync() => (string?)await EvalAsync("document.body.innerText") ?? "";

    public async Task<string> HtmlAsync() => (string?)await EvalAsync("document.documentElement.outerHTML") ?? "";

    public async Task FillAsync(string selector, string value)
    {
        var found = await EvalAsync($"(e => {{ if (!e) return false; e.value = {Js(value)}; return true; }})(document.querySelector({Js(selector)}))");
        if (found?.GetValue<bool>() != true) throw new ChromiumException($"no field {selector} on {await UrlAsync()}");
    }

    /// <summary>Clicks (a submit button, a link) and waits until the next page has loaded.</summary>
    public async Task ClickAndWaitAsync(string selector)
    {
        await MarkAsync();
        await ClickAsync(selector);
        await WaitNewPageAsync($"the page after clicking {selector}");
    }

    /// <summary>Clicks without waiting for a page (a download).</summary>
    public async Task ClickAsync(string selector)
    {
        var found = await EvalAsync($"(e => {{ if (!e) return false; e.click(); return true; }})(document.querySelector({Js(selector)}))");
        if (found?.GetValue<bool>() != true) throw new ChromiumException($"nothing to click at {selector} on {await UrlAsync()}");
    }

    /// <summary>Puts a file into a file input, as choosing it in the dialog would.</summary>
    public async Task SetFileAsync(string selector, string path)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = $"document.querySelector({Js(selector)})" });
        var objectId = (string?)result["result"]?["objectId"] ?? throw new ChromiumException($"no file input {selector}");
        await SendAsync("DOM.setFileInputFiles", new JsonObject { ["files"] = new JsonArray(path), ["objectId"] = objectId });
    }

    public async Task ScreenshotAsync(string path)
    {
        // A tab in the background draws no frames, and a capture would wait for one.
        await SendAsync("Page.bringToFront");
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png", ["captureBeyondViewport"] = true });
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String((string)shot["data"]!));
    }

    // A marker on the current document: the next document has none, so its absence (with the load complete) means the page changed.
    private Task MarkAsync() => EvalAsync("window.__testMarker = 1");

    private Task WaitNewPageAsync(string what) => Eventually.WaitUntil(async () =>
    {
        try { return (bool?)await EvalAsync("window.__testMarker === undefined && document.readyState === 'complete'") == true; }
        catch (ChromiumException) { return false; } // the old document went away while asking
    }, LoadTimeout, what);

    private static string Js(string text) => JsonSerializer.Serialize(text);
}
