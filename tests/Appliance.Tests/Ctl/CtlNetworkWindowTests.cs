using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Ctl;

/// <summary>
/// A network change made over SSH comes back by itself unless confirmed (issue 20, point 2), as an
/// admin meets it: appliancectl's shell in a real terminal (tmux, SSH_CONNECTION set as sshd sets
/// it) against a real daemon whose simulated HAL applies the address and takes it off again.
/// </summary>
public class CtlNetworkWindowTests(ITestOutputHelper output)
{
    private const int WindowSeconds = 12;
    private const string Address = "192.0.2.10";
    private const string OnTheHal = "eth0: added 192.0.2.10/32";
    private const string OffTheHal = "eth0: removed 192.0.2.10/32";

    [Fact(Timeout = 180_000)]
    public async Task Ipv4Address_SetInTheShell_AndNotConfirmed_ComesBackByItself()
    {
        await using var d = new StandaloneDaemon(extraArgs: ["--network-confirm-seconds", WindowSeconds.ToString()]);
        await d.Daemon.StartAsync();
        await using var terminal = await CtlShell.StartAsync(d, output.WriteLine);

        await terminal.TypeAsync($"config set ipv4.address {Address}");
        await terminal.WaitForAsync("run `config confirm` before");
        await terminal.TypeAsync("status");
        await terminal.WaitForAsync("networkWindow:");
        await terminal.WaitForAsync("secondsLeft");
        var screen = await terminal.WaitForAsync("appliance> ", count: 3); // status has been printed whole: the next prompt is up
        Assert.Contains("ipv4.address", screen[screen.IndexOf("networkWindow:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        await Eventually.WaitUntil(async () => (await Events(d.Daemon)).Contains(OnTheHal), TimeSpan.FromSeconds(60),
            "the simulated HAL applied the address at once", async () => string.Join("\n", await Events(d.Daemon)));

        await Eventually.WaitUntil(async () => (await Events(d.Daemon)).Contains(OffTheHal), TimeSpan.FromSeconds(WindowSeconds + 60),
            "the simulated HAL took the address off again when the window closed", async () => string.Join("\n", await Events(d.Daemon)));

        // The revert's own event is written once the store has taken the old value back, which may be after the HAL's.
        static bool Reverted(string e) => e.StartsWith("network change not confirmed by", StringComparison.Ordinal) && e.Contains("ipv4.address unset", StringComparison.Ordinal);
        await Eventually.WaitUntil(async () => (await Events(d.Daemon)).Any(Reverted), TimeSpan.FromSeconds(30),
            "the event log says the change was not confirmed and what came back", async () => string.Join("\n", await Events(d.Daemon)));
        var events = await Events(d.Daemon);
        Assert.True(events.IndexOf(OnTheHal) < events.IndexOf(OffTheHal), string.Join("\n", events));
        Assert.Null((await d.Daemon.Api("config.get", new JsonObject { ["path"] = "ipv4.address" }))["value"]);
        Assert.Null((await d.Daemon.Api("status"))["networkWindow"]);
        await terminal.TypeAsync("log events");
        await terminal.WaitForAsync("network change not confirmed by");
    }

    private static async Task<List<string>> Events(DaemonProcess d) =>
        (await d.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray().Select(e => (string)e!["message"]!).ToList();
}
