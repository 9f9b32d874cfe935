using Appliance.Daemon.Lcd;
using Appliance.Daemon.Node;
using Appliance.Hal.Lcd;
using Appliance.Tests.Appliers;

namespace Appliance.Tests.Lcd;

/// <summary>The front panel bound to a real peer: the same validation as the CLI, logged with channel "lcd".</summary>
public class PanelBindingTests
{
    [Fact]
    public async Task A_lan_change_from_the_panel_is_validated_stored_and_logged_with_channel_lcd()
    {
        await using var f = NodeFixture.Start();
        var model = PanelBindingFor(f.Node);

        var refused = model.SetIpv4(new PanelIpv4Settings("198.18.0.20", "255.255.255.0", "198.18.7.1"));
        Assert.NotNull(refused);
        Assert.Contains("ipv4.gateway", refused);
        Assert.Null(f.Node.Config.LanAddress);

        Assert.Null(model.SetIpv4(new PanelIpv4Settings("198.18.0.20", "255.255.255.0", "198.18.0.1")));
        Assert.Equal("198.18.0.20", f.Node.Config.LanAddress);
        Assert.Equal(new PanelIpv4Settings("198.18.0.20", "255.255.255.0", "198.18.0.1"), model.GetIpv4());
        Assert.Null(model.SetSpeed("100full"));
        Assert.Equal("100full", model.GetSpeed());

        var entries = f.Node.Logs.Config.Read();
        Assert.Contains(entries, e => e.Channel == "lcd" && e.Field == "ipv4" && e.New!.Contains("198.18.0.20"));
        Assert.Contains(entries, e => e.Channel == "lcd" && e.Field == "ethernet");
        Assert.Equal(f.Node.HostName, model.Status().HostName);
    }

    [Fact]
    public async Task The_status_screen_of_a_real_peer_shows_its_host_and_address()
    {
        await using var f = NodeFixture.Start();
        var panel = new SimulatedFrontPanel();
        var service = f.Node.CreatePanel(panel)!;
        PanelBindingFor(f.Node).SetIpv4(new PanelIpv4Settings("198.18.0.21", "255.255.255.0", "198.18.0.1"));
        await service.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 100 && !panel.Lines.Any(l => l.Contains("198.18.0.21")); i++) await Task.Delay(50);
            Assert.Contains(panel.Lines, l => l.Contains("198.18.0.21"));
            Assert.Contains(panel.Lines, l => l.Contains("standalone", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_status_screen_of_a_test_build_says_it_trusts_the_test_key()
    {
        await using var f = NodeFixture.Start();
        var panel = new SimulatedFrontPanel();
        var service = f.Node.CreatePanel(panel)!;
        await service.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 100 && !panel.Lines.Any(l => l.Contains("alarm")); i++) await Task.Delay(50);
            // The alarm row ("1 alarm", "0 alarms"...), the marker right-aligned in the panel's 20 columns.
            Assert.Matches("^[0-9]+ alarms? +TEST KEY$", panel.Lines[3]);
            Assert.Equal(Cfa635Protocol.Columns, panel.Lines[3].Length);
            Assert.All(panel.Lines, l => Assert.True(l.Length <= Cfa635Protocol.Columns, l));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static PanelModel PanelBindingFor(PeerNode node) =>
        PanelBinding.Create(node, () => new Daemon.Config.ConfigContext());
}
