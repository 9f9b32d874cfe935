using Appliance.Daemon.Lcd;
using Appliance.Hal.Lcd;

namespace Appliance.Tests.Lcd;

/// <summary>The service on the simulated panel of <c>--hal simulated</c>.</summary>
public class LcdServiceTests
{
    [Fact]
    public async Task Simulated_panel_shows_live_status_and_takes_injected_keys()
    {
        var model = new FakePanelModel();
        await using var panel = new SimulatedFrontPanel();
        await using var service = new LcdService(panel, model.Build()) { RefreshInterval = TimeSpan.FromMilliseconds(100) };
        await service.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(() => panel.Lines[0].TrimEnd() == "appliance-1", "status screen", () => Wait.Show(panel.Lines));
        Assert.True(panel.IsConnected);

        model.Alarms.Add("DNS server missing"); // no key, no refresh call: the timer redraws
        await Wait.UntilAsync(() => panel.Lines[3].TrimEnd() == "1 alarm", "live alarm count", () => Wait.Show(panel.Lines));

        panel.InjectKey(LcdKey.Enter);
        panel.InjectKey(LcdKey.Down);
        await Wait.UntilAsync(() => panel.Lines[1].TrimEnd() == ">Ethernet speed", "menu", () => Wait.Show(panel.Lines));
        await service.StopAsync(CancellationToken.None).WaitAsync(Wait.Long);
    }

    [Fact]
    public async Task Idle_panel_returns_to_status()
    {
        var model = new FakePanelModel();
        await using var panel = new SimulatedFrontPanel();
        await using var service = new LcdService(panel, model.Build())
        {
            RefreshInterval = TimeSpan.FromMilliseconds(50),
            // Long enough that a poller starved by a busy machine still sees the menu before it goes.
            IdleTimeout = TimeSpan.FromSeconds(2),
        };
        await service.StartAsync(CancellationToken.None);
        panel.InjectKey(LcdKey.Enter);
        await Wait.UntilAsync(() => panel.Lines[0].TrimEnd() == ">LAN IPv4", "menu", () => Wait.Show(panel.Lines));
        await Wait.UntilAsync(() => panel.Lines[0].TrimEnd() == "appliance-1", "back to status", () => Wait.Show(panel.Lines));
    }

    [Fact]
    public async Task Simulated_panel_refuses_bad_rows()
    {
        await using var panel = new SimulatedFrontPanel();
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => panel.WriteLineAsync(4, "x"));
        Assert.Contains("rows 0..3", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => panel.SetScreenAsync(["only", "three", "rows"]));
    }
}
