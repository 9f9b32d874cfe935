using Appliance.Daemon.Lcd;
using Appliance.Hal.Lcd;
using Xunit.Abstractions;

namespace Appliance.Tests.Lcd;

/// <summary>The driver and the display double on the two ends of a real pty pair made by socat.</summary>
public sealed class Cfa635PtyTests(ITestOutputHelper output) : IAsyncLifetime
{
    // Generous against a loaded 2-core CI machine, where the first commands alone can take a second.
    private static readonly Cfa635Options Options = new()
    {
        ResponseTimeout = TimeSpan.FromMilliseconds(1500),
        Retries = 1,
        KeepAlive = TimeSpan.FromMilliseconds(1000),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    };

    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(60));
    private PtyPair _pty = null!;
    private DeviceOnLine _device = null!;
    private Cfa635Panel _panel = null!;

    public async Task InitializeAsync()
    {
        _pty = await PtyPair.StartAsync();
        _device = DeviceOnLine.OpenPty(_pty.DevicePath);
        _panel = new Cfa635Panel(_pty.HostPath, Options);
        await _panel.ConnectAsync(_cts.Token).WaitAsync(Wait.Long);
    }

    public async Task DisposeAsync()
    {
        await _panel.DisposeAsync();
        await _device.DisposeAsync();
        await _pty.DisposeAsync();
        _cts.Dispose();
    }

    private Task ScreenShownAsync(string[] expected) =>
        Wait.UntilAsync(() => _device.Device.Lines.SequenceEqual(expected.Select(LcdText.Fit)),
            $"display to show {Wait.Show(expected)}",
            () => $"{Wait.Show(_device.Device.Lines)} (connections {_panel.Connections}, last error {_panel.LastError ?? "none"}, corrupt packets at the display {_device.Device.CorruptPackets})");

    [Fact]
    public async Task Screen_contents_reach_the_display()
    {
        string[] screen = ["appliance-1", "LAN 192.168.1.10", "Cluster 2/2 active", "0 alarms"];
        await _panel.SetScreenAsync(screen, _cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync(screen);
        await _panel.WriteLineAsync(3, "a row much longer than twenty columns", _cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync([.. screen[..3], "a row much longer th"]);
        Assert.Equal(Cfa635Device.VersionText, await _panel.GetVersionAsync(_cts.Token).WaitAsync(Wait.Long));
        await _panel.ClearAsync(_cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync(LcdText.Blank());
        // Unchanged rows are not sent again.
        var sent = _device.Device.Received.Count(p => p.Code == (byte)Cfa635Command.SendData);
        await _panel.SetScreenAsync(LcdText.Blank(), _cts.Token).WaitAsync(Wait.Long);
        Assert.Equal(sent, _device.Device.Received.Count(p => p.Code == (byte)Cfa635Command.SendData));
    }

    [Fact]
    public async Task Key_presses_arrive_and_releases_are_not_requested()
    {
        Assert.Equal(0, _device.Device.ReleaseMask);
        foreach (var key in new[] { LcdKey.Up, LcdKey.Down, LcdKey.Left, LcdKey.Right, LcdKey.Enter, LcdKey.Exit })
        {
            await _device.Device.PressKeyAsync(key, _cts.Token).WaitAsync(Wait.Long);
            Assert.Equal(key, await _panel.KeyPressed.ReadAsync(_cts.Token).AsTask().WaitAsync(Wait.Long));
        }
    }

    [Fact]
    public async Task Corrupted_packets_are_survived()
    {
        _device.Device.CorruptNextResponses(1);
        await _panel.WriteLineAsync(0, "after corruption", _cts.Token).WaitAsync(Wait.Long);
        var noisy = new Cfa635Packet(Cfa635Protocol.KeyReport, new byte[] { (byte)LcdKey.Up }).Encode();
        noisy[2] ^= 0x02; // a key report whose CRC no longer matches must not become a key
        await _device.Device.SendRawAsync([0xAA, 0x55, .. noisy, 0x00], _cts.Token).WaitAsync(Wait.Long);
        await _device.Device.PressKeyAsync(LcdKey.Enter, _cts.Token).WaitAsync(Wait.Long);
        Assert.Equal(LcdKey.Enter, await _panel.KeyPressed.ReadAsync(_cts.Token).AsTask().WaitAsync(Wait.Long));
        await ScreenShownAsync(["after corruption", "", "", ""]);
        Assert.True(_panel.IsConnected);
    }

    [Fact]
    public async Task Unplugged_line_reconnects_and_redraws()
    {
        var changes = new List<bool>();
        _panel.ConnectionChanged += c => { lock (changes) changes.Add(c); };
        string[] screen = ["before unplug", "", "", "row 3"];
        await _panel.SetScreenAsync(screen, _cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync(screen);

        await _pty.StopSocatAsync();
        await Wait.UntilAsync(() => !_panel.IsConnected, "the panel to notice the unplug");
        output.WriteLine($"disconnected: {_panel.LastError}");
        Assert.NotNull(_panel.LastError);
        await _device.DisposeAsync();
        // Written while unplugged: kept and shown after the replug.
        screen[1] = "while unplugged";
        await _panel.SetScreenAsync(screen, _cts.Token).WaitAsync(Wait.Long);

        await _pty.StartSocatAsync();
        _device = DeviceOnLine.OpenPty(_pty.DevicePath);
        await _panel.ConnectAsync(_cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync(screen);
        await _device.Device.PressKeyAsync(LcdKey.Down, _cts.Token).WaitAsync(Wait.Long);
        Assert.Equal(LcdKey.Down, await _panel.KeyPressed.ReadAsync(_cts.Token).AsTask().WaitAsync(Wait.Long));
        Assert.Equal(2, _panel.Connections);
        lock (changes)
            Assert.Equal([false, true], changes);
    }

    [Fact]
    public async Task Panel_started_before_the_line_exists_connects_when_it_appears()
    {
        await _panel.DisposeAsync();
        await _pty.StopSocatAsync();
        await _device.DisposeAsync();
        var late = _panel = new Cfa635Panel(_pty.HostPath, Options);
        await late.WriteLineAsync(0, "written before", _cts.Token).WaitAsync(Wait.Long);
        var connecting = late.ConnectAsync(_cts.Token);
        await Wait.UntilAsync(() => late.LastError is not null, "a first failed open");
        output.WriteLine(late.LastError);
        Assert.Contains(_pty.HostPath, late.LastError);
        Assert.False(connecting.IsCompleted);

        await _pty.StartSocatAsync();
        _device = DeviceOnLine.OpenPty(_pty.DevicePath);
        await connecting.WaitAsync(Wait.Long);
        await Wait.UntilAsync(() => _device.Device.Lines[0] == LcdText.Fit("written before"), "the early write shown",
            () => Wait.Show(_device.Device.Lines));
    }

    [Fact]
    public async Task Slow_display_under_the_timeout_needs_no_retries()
    {
        await _panel.GetVersionAsync(_cts.Token).WaitAsync(Wait.Long); // warm-up: the first calls JIT
        _device.Device.ResponseDelay = TimeSpan.FromMilliseconds(400);
        var before = _device.Device.Received.Count;
        await _panel.SetScreenAsync(["slow", "display", "still", "works"], _cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync(["slow", "display", "still", "works"]);
        var writes = _device.Device.Received.Skip(before).Count(p => p.Code == (byte)Cfa635Command.SendData);
        Assert.Equal(4, writes);
    }

    [Fact]
    public async Task Silent_display_times_out_then_the_panel_continues()
    {
        _device.Device.Ignore = p => p.Code == (byte)Cfa635Command.SendData;
        var e = await Assert.ThrowsAsync<Cfa635TimeoutException>(() =>
            _panel.WriteLineAsync(0, "lost", _cts.Token).WaitAsync(Wait.Long));
        output.WriteLine(e.Message);
        Assert.Contains("SendData", e.Message);
        _device.Device.Ignore = null;
        await _panel.WriteLineAsync(1, "answered again", _cts.Token).WaitAsync(Wait.Long);
        // Row 0 was unknown after the failure, so it went out again with row 1.
        await ScreenShownAsync(["lost", "answered again", "", ""]);
        Assert.True(_panel.IsConnected);
        Assert.Equal(1, _panel.Connections);
    }

    [Fact]
    public async Task Display_that_stops_answering_entirely_is_reconnected_when_it_answers_again()
    {
        _device.Device.Ignore = _ => true;
        await Wait.UntilAsync(() => !_panel.IsConnected, "the keep-alive to give up on the silent display");
        output.WriteLine(_panel.LastError);
        Assert.Contains("stopped answering", _panel.LastError);
        await _panel.WriteLineAsync(0, "queued while silent", _cts.Token).WaitAsync(Wait.Long);
        _device.Device.Ignore = null;
        await _panel.ConnectAsync(_cts.Token).WaitAsync(Wait.Long);
        await ScreenShownAsync(["queued while silent", "", "", ""]);
    }

    [Fact]
    public async Task Menu_walk_over_the_pty_changes_the_lan_address()
    {
        var model = new FakePanelModel();
        await using var service = new LcdService(_panel, model.Build());
        await service.StartAsync(_cts.Token);
        await ScreenShownAsync(["appliance-1", "LAN 192.168.1.10", "Cluster 2/2 active", "0 alarms"]);

        async Task Press(LcdKey key, int times = 1)
        {
            for (var i = 0; i < times; i++)
                await _device.Device.PressKeyAsync(key, _cts.Token).WaitAsync(Wait.Long);
        }

        await Press(LcdKey.Enter);
        await ScreenShownAsync([">LAN IPv4", " Ethernet speed", " Peers", " Alarms"]);
        await Press(LcdKey.Enter);
        await ScreenShownAsync(["IP 192.168.1.10", "NM 255.255.255.0", "GW 192.168.1.1", "Enter=edit Exit=back"]);
        await Press(LcdKey.Enter);
        await Press(LcdKey.Right, 8); // third octet, last digit
        await Press(LcdKey.Up);       // 192.168.002.010
        await ScreenShownAsync(["Address (1/3)", "192.168.002.010", new string(' ', 10) + "^", "Enter=next Exit=back"]);
        await Press(LcdKey.Enter);    // mask
        await Press(LcdKey.Enter);    // gateway
        await Press(LcdKey.Right, 8);
        await Press(LcdKey.Up);       // 192.168.002.001
        await ScreenShownAsync(["Gateway (3/3)", "192.168.002.001", new string(' ', 10) + "^", "Enter=save Exit=back"]);
        await Press(LcdKey.Enter);
        await ScreenShownAsync(["IPv4 saved", "192.168.2.10 /", "255.255.255.0 gw", "192.168.2.1"]);
        lock (model.Ipv4Writes)
            Assert.Equal(new PanelIpv4Settings("192.168.2.10", "255.255.255.0", "192.168.2.1"), Assert.Single(model.Ipv4Writes));
        await Press(LcdKey.Exit);
        await Press(LcdKey.Exit);
        await Press(LcdKey.Exit);
        await ScreenShownAsync(["appliance-1", "LAN 192.168.2.10", "Cluster 2/2 active", "0 alarms"]);

        // Disabled: the panel says so and keys do nothing.
        model.Enabled = false;
        service.Refresh();
        await ScreenShownAsync(["Panel disabled", "", "", ""]);
        var handled = service.KeysHandled;
        await Press(LcdKey.Enter);
        await Wait.UntilAsync(() => service.KeysHandled > handled, "the key pressed while disabled to be handled");
        Assert.Equal(LcdText.Fit("Panel disabled"), _device.Device.Lines[0]);
        model.Enabled = true;
        service.Refresh();
        await ScreenShownAsync(["appliance-1", "LAN 192.168.2.10", "Cluster 2/2 active", "0 alarms"]);
    }
}
