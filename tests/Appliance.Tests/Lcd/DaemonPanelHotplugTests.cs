using Appliance.Hal.Lcd;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Lcd;

/// <summary>
/// The image starts applianced with <c>--lcd /dev/appliance-lcd</c> whether or not a USB panel is
/// plugged in. A real daemon and the display double on a socat pty pair whose link appears only
/// after the daemon started, then goes away and comes back: the panel is driven whenever it is
/// there, each change is one line in the event log (never one per retry), and the daemon carries on.
/// </summary>
public sealed class DaemonPanelHotplugTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Plugged = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 120_000)]
    public async Task Panel_absent_at_start_is_driven_once_plugged_and_again_after_an_unplug()
    {
        await using var pty = await PtyPair.StartAsync();
        await pty.StopSocatAsync(); // not plugged in: the link does not exist
        await using var d = new StandaloneDaemon(extraArgs: ["--lcd", pty.HostPath]);
        await d.Daemon.StartAsync();
        await EventuallyPanelEventsAsync(d.Daemon, 1, "the wait for the absent panel");

        await pty.StartSocatAsync();
        var device = DeviceOnLine.OpenPty(pty.DevicePath);
        try
        {
            await StatusShownAsync(device);
            await device.Device.PressKeyAsync(LcdKey.Enter).WaitAsync(Wait.Long);
            await MenuShownAsync(device);
            await EventuallyPanelEventsAsync(d.Daemon, 2, "waiting, connected");
        }
        finally
        {
            await pty.StopSocatAsync();
            await device.DisposeAsync();
        }
        // Unplugged for long enough that the panel retries several times (200 ms doubling to 5 s).
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.True(d.Daemon.Running, d.Daemon.Tail());
        Assert.Equal("standalone", (string?)(await d.Daemon.Api("status"))["cluster"]);

        await pty.StartSocatAsync();
        device = DeviceOnLine.OpenPty(pty.DevicePath);
        IReadOnlyList<string> events;
        await using (device)
        {
            await MenuShownAsync(device); // a fresh display: the screen the panel is on is drawn again
            events = await EventuallyPanelEventsAsync(d.Daemon, 4, "waiting, connected, lost, connected");
        }
        Assert.Contains($"waiting for {pty.HostPath}", events[0]);
        Assert.Contains($"connected on {pty.HostPath}", events[1]);
        Assert.Contains($"lost {pty.HostPath}", events[2]);
        Assert.Contains($"connected on {pty.HostPath}", events[3]);
        Assert.DoesNotContain(await d.Daemon.Alarms(), a => a.ToJsonString().Contains("panel", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task StatusShownAsync(DeviceOnLine device) =>
        await Wait.UntilAsync(() => device.Device.Lines[2] == LcdText.Fit("Cluster standalone"), "the status screen on the display",
            () => Wait.Show(device.Device.Lines), Plugged);

    private static async Task MenuShownAsync(DeviceOnLine device) =>
        await Wait.UntilAsync(() => device.Device.Lines[0] == LcdText.Fit(">LAN IPv4"), "the main menu on the display",
            () => Wait.Show(device.Device.Lines), Plugged);

    /// <summary>The event log's front-panel lines once there are <paramref name="count"/>; fails on more.</summary>
    private async Task<IReadOnlyList<string>> EventuallyPanelEventsAsync(DaemonProcess daemon, int count, string what)
    {
        var deadline = DateTime.UtcNow + Plugged;
        while (true)
        {
            var lines = (await daemon.LogEntries("events")).Select(e => (string?)e["message"] ?? "")
                .Where(m => m.StartsWith("front panel", StringComparison.Ordinal)).ToList();
            if (lines.Count >= count || DateTime.UtcNow > deadline)
            {
                foreach (var line in lines)
                    output.WriteLine(line);
                Assert.True(lines.Count == count, $"expected {count} front-panel events ({what}), got {lines.Count}:\n{string.Join('\n', lines)}\n{daemon.Tail()}");
                return lines;
            }
            await Task.Delay(200);
        }
    }
}
