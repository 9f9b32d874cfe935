using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Appliers;

/// <summary>
/// The network confirm window on a real daemon with the simulated HAL (issue 20, point 2): confirmed,
/// a change stays past its deadline; a restart inside the window still reverts it.
/// </summary>
public class NetworkWindowProcessTests
{
    private const int WindowSeconds = 12;

    [Fact(Timeout = 180_000)]
    public async Task Confirmed_TheAddressStays_PastTheDeadline()
    {
        await using var d = new StandaloneDaemon(extraArgs: ["--network-confirm-seconds", WindowSeconds.ToString(CultureInfo.InvariantCulture)]);
        await d.Daemon.StartAsync();

        var set = await SetAddress(d.Daemon, "192.0.2.20");
        Assert.NotNull((await d.Daemon.Api("status"))["networkWindow"]);
        var confirmed = await d.Daemon.Api("config.confirm");

        Assert.True((bool)confirmed["confirmed"]!);
        Assert.Null((await d.Daemon.Api("status"))["networkWindow"]);
        // The revert timer would have fired at the deadline: look well after it.
        var deadline = DateTimeOffset.Parse((string)set["confirmBy"]!, CultureInfo.InvariantCulture);
        while (DateTimeOffset.UtcNow < deadline + TimeSpan.FromSeconds(5))
            await Task.Delay(500);
        Assert.Equal("192.0.2.20", (string?)(await d.Daemon.Api("config.get", new JsonObject { ["path"] = "ipv4.address" }))["value"]);
        var events = await Events(d.Daemon);
        Assert.Contains(events, e => e.StartsWith("network change confirmed by", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Contains("not confirmed", StringComparison.Ordinal) || e.Contains("removed 192.0.2.20", StringComparison.Ordinal));
    }

    [Fact(Timeout = 240_000)]
    public async Task RestartInsideTheWindow_StillRevertsAtTheDeadline()
    {
        await using var d = new StandaloneDaemon(extraArgs: ["--network-confirm-seconds", "30"]);
        await d.Daemon.StartAsync();
        await d.Daemon.Set("ipv4.address", "192.0.2.30"); // confirmed: the value the window goes back to
        await d.Daemon.Set("ipv4.mask", "255.255.255.0");

        var set = await SetAddress(d.Daemon, "192.0.2.31");
        await d.Daemon.StopAsync();
        await d.Daemon.StartAsync();

        // Two lines end the revert, in either order (the applier runs beside the window's own event line):
        // the window's revert event and the HAL taking the address off.
        await Eventually.WaitUntil(async () => await Events(d.Daemon) is var lines
                && lines.Any(e => e.Contains("removed 192.0.2.31/24", StringComparison.Ordinal))
                && lines.Any(e => e.StartsWith("network change not confirmed by ", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(120), "the revert event and the HAL taking the unconfirmed address off after the restart",
            async () => string.Join("\n", await Events(d.Daemon)));
        Assert.Equal("192.0.2.30", (string?)(await d.Daemon.Api("config.get", new JsonObject { ["path"] = "ipv4.address" }))["value"]);
        var events = await Events(d.Daemon);
        var restarted = events.FindLastIndex(e => e.Contains(" starting as peer", StringComparison.Ordinal));
        var reverted = events.FindLastIndex(e => e.StartsWith("network change not confirmed by " + (string)set["confirmBy"]!, StringComparison.Ordinal));
        Assert.True(reverted > restarted, "the revert came from the restarted daemon:\n" + string.Join("\n", events));
        Assert.Null((await d.Daemon.Api("status"))["networkWindow"]);
    }

    private static async Task<JsonNode> SetAddress(DaemonProcess d, string address)
    {
        var set = await d.Api("config.set", new JsonObject { ["path"] = "ipv4.address", ["values"] = new JsonArray(address) });
        Assert.NotNull(set["confirmBy"]);
        return set;
    }

    private static async Task<List<string>> Events(DaemonProcess d) =>
        (await d.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray().Select(e => (string)e!["message"]!).ToList();
}
