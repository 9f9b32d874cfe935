using Appliance.Daemon.Lcd;
using Appliance.Hal.Lcd;

namespace Appliance.Tests.Lcd;

public class MenuEngineTests
{
    private readonly FakePanelModel _model = new();
    private readonly MenuEngine _engine;

    public MenuEngineTests() => _engine = new MenuEngine(_model.Build());

    private string[] Screen => _engine.Render();

    private void Press(params LcdKey[] keys)
    {
        foreach (var k in keys)
            _engine.HandleKey(k);
    }

    [Fact]
    public void Status_screen_is_live()
    {
        Assert.Equal(["appliance-1", "LAN 192.168.1.10", "Cluster 2/2 active", "0 alarms"], Screen);
        _model.Cluster = "1/2 active";
        _model.Alarms.Add("NTP not synchronized");
        Assert.Equal("Cluster 1/2 active", Screen[2]);
        Assert.Equal("1 alarm", Screen[3]);
    }

    [Fact]
    public void Ipv4_address_is_edited_digit_by_digit()
    {
        Press(LcdKey.Enter, LcdKey.Enter); // menu, LAN IPv4 view
        Assert.Equal("IP 192.168.1.10", Screen[0]);
        Press(LcdKey.Enter); // edit address
        Assert.Equal(["Address (1/3)", "192.168.001.010", "^"], Screen[..3]);
        for (var i = 0; i < 11; i++)
            Press(LcdKey.Right);
        Assert.Equal(new string(' ', 14) + "^", Screen[2]);
        Press(LcdKey.Up, LcdKey.Up, LcdKey.Left, LcdKey.Left, LcdKey.Down); // 010 -> 012 -> 912
        Assert.Equal("192.168.001.912", Screen[1]);
        Press(LcdKey.Enter);
        Assert.Equal("Bad address", Screen[0]);
        Assert.Contains("part 4 is 912", string.Join(" ", Screen));
        Press(LcdKey.Exit); // back to the editor, value kept
        Press(LcdKey.Up); // 912 -> 012
        Assert.Equal("192.168.001.012", Screen[1]);
        Press(LcdKey.Enter, LcdKey.Enter, LcdKey.Enter); // address, mask, gateway
        Assert.Equal("IPv4 saved", Screen[0]);
        Assert.Equal(new PanelIpv4Settings("192.168.1.12", "255.255.255.0", "192.168.1.1"), Assert.Single(_model.Ipv4Writes));
        Press(LcdKey.Enter);
        Assert.Equal("IP 192.168.1.12", Screen[0]);
    }

    [Fact]
    public void Ipv4_validation_error_is_shown_and_edit_resumes()
    {
        _model.Validate = s => $"gateway {s.Gateway} is outside {s.Address}/24";
        Press(LcdKey.Enter, LcdKey.Enter, LcdKey.Enter, LcdKey.Enter, LcdKey.Enter, LcdKey.Enter);
        Assert.Equal(["Not saved", "gateway 192.168.1.1", "is outside", "192.168.1.10/24"], Screen);
        Press(LcdKey.Enter);
        Assert.Equal("Address (1/3)", Screen[0]);
        Press(LcdKey.Exit);
        Assert.Equal("IP 192.168.1.10", Screen[0]);
        Assert.Empty(_model.Ipv4Writes);
    }

    [Fact]
    public void Exit_walks_back_through_the_fields()
    {
        Press(LcdKey.Enter, LcdKey.Enter, LcdKey.Enter, LcdKey.Enter);
        Assert.Equal("Mask (2/3)", Screen[0]);
        Press(LcdKey.Exit);
        Assert.Equal("Address (1/3)", Screen[0]);
        Press(LcdKey.Exit, LcdKey.Exit, LcdKey.Exit);
        Assert.Equal("appliance-1", Screen[0]);
    }

    [Fact]
    public void Speed_cycles_and_refusals_are_shown()
    {
        Press(LcdKey.Enter, LcdKey.Down, LcdKey.Enter);
        Assert.Equal(["Ethernet speed", "Now auto", "Set <auto>", "Enter=set Exit=back"], Screen);
        Press(LcdKey.Up);
        Assert.Equal("Set <10half>", Screen[2]);
        Press(LcdKey.Enter);
        Assert.Equal(["Not saved", "10half is not", "supported by this", "NIC"], Screen);
        Press(LcdKey.Enter, LcdKey.Down, LcdKey.Down, LcdKey.Enter); // back on the speed screen; auto -> 1000full -> 100full
        Assert.Equal("Speed saved", Screen[0]);
        Assert.Equal("100full", _model.Speed);
    }

    [Fact]
    public void Peers_and_alarms_page_through()
    {
        Press(LcdKey.Enter, LcdKey.Down, LcdKey.Down, LcdKey.Enter);
        Assert.Equal(["Peers 1/2", "peer-a", "This system", ""], Screen);
        Press(LcdKey.Down);
        Assert.Equal(["Peers 2/2", "peer-b", "Active as peer-b", ""], Screen);
        Press(LcdKey.Exit, LcdKey.Down, LcdKey.Enter);
        Assert.Equal(["Alarms", "No alarms", "", "Exit=back"], Screen);
        _model.Alarms.Add("Peer 198.18.0.3 unreachable since 12:01");
        Assert.Equal(["Alarms 1/1", "Peer 198.18.0.3", "unreachable since", "12:01"], Screen);
    }

    [Fact]
    public void Restart_needs_confirmation()
    {
        Press(LcdKey.Enter, LcdKey.Down, LcdKey.Down, LcdKey.Down, LcdKey.Down);
        Assert.Equal(">Restart", Screen[3]);
        Press(LcdKey.Enter);
        Assert.Equal("Restart appliance?", Screen[0]);
        Press(LcdKey.Exit);
        Assert.Equal(0, _model.Restarts);
        Press(LcdKey.Enter, LcdKey.Enter);
        Assert.Equal(1, _model.Restarts);
        Assert.Equal("Restarting...", Screen[0]);
    }

    [Fact]
    public void Disabled_panel_shows_so_and_ignores_keys()
    {
        _model.Enabled = false;
        Assert.Equal("Panel disabled", Screen[0]);
        Press(LcdKey.Enter, LcdKey.Enter, LcdKey.Down);
        _model.Enabled = true;
        Assert.Equal("appliance-1", Screen[0]);
        Assert.Equal("StatusScreen", _engine.CurrentScreen);
    }

    [Fact]
    public void A_failing_model_shows_the_error_instead_of_crashing()
    {
        var model = _model.Build();
        var engine = new MenuEngine(new PanelModel
        {
            Status = () => throw new InvalidOperationException("store closed"),
            GetIpv4 = model.GetIpv4, SetIpv4 = model.SetIpv4, GetSpeed = model.GetSpeed, SetSpeed = model.SetSpeed,
            Peers = model.Peers, Alarms = model.Alarms, Enabled = model.Enabled, Restart = model.Restart,
        });
        Assert.Equal(["Panel error", "store closed", "", ""], engine.Render());
    }

    [Fact]
    public void Wrap_breaks_at_spaces_and_cuts_long_words()
    {
        Assert.Equal(["aaaa bbbb", "", ""], MenuScreen.Wrap("aaaa bbbb", 3));
        Assert.Equal(["0123456789abcdefghij", "KLMN"], MenuScreen.Wrap("0123456789abcdefghijKLMN", 2));
    }
}
