using System.Text;
using Appliance.Hal.Lcd;
using Nerdbank.Streams;

namespace Appliance.Tests.Lcd;

/// <summary>The command engine against the device double over an in-memory duplex pair (logic tier).</summary>
public sealed class Cfa635LinkTests : IAsyncDisposable
{
    // Generous against a loaded 2-core CI machine: the first command alone can take a second there.
    private static readonly Cfa635Options Fast = new() { ResponseTimeout = TimeSpan.FromMilliseconds(1500), Retries = 1 };
    private readonly DeviceOnLine _device;
    private readonly Cfa635Link _link;
    private readonly Stream _host;
    private readonly CancellationTokenSource _cts = new(Wait.Long);

    public Cfa635LinkTests()
    {
        var (host, device) = FullDuplexStream.CreatePair();
        _device = new DeviceOnLine(device);
        _host = host;
        _link = new Cfa635Link(host, Fast);
    }

    [Fact]
    public async Task Ping_is_echoed_and_version_read()
    {
        var pong = await _link.SendAsync(Cfa635Command.Ping, "abc"u8.ToArray(), _cts.Token);
        Assert.Equal(0x40, pong.Type);
        Assert.Equal("abc", Encoding.ASCII.GetString(pong.Data.Span));
        var version = await _link.SendAsync(Cfa635Command.GetVersion, ReadOnlyMemory<byte>.Empty, _cts.Token);
        Assert.Equal(Cfa635Device.VersionText, Encoding.ASCII.GetString(version.Data.Span));
    }

    [Fact]
    public async Task Error_response_throws_naming_the_command()
    {
        // Row 9 does not exist: the display answers 0xC0 | 31.
        var e = await Assert.ThrowsAsync<Cfa635CommandException>(() =>
            _link.SendAsync(Cfa635Command.SendData, new byte[] { 0, 9, (byte)'x' }, _cts.Token));
        Assert.Equal((byte)Cfa635Command.SendData, e.Command);
        Assert.Contains("SendData (31)", e.Message);
        // The link goes on.
        await _link.SendAsync(Cfa635Command.Ping, ReadOnlyMemory<byte>.Empty, _cts.Token);
    }

    [Fact]
    public async Task Unanswered_command_times_out_after_retries_then_link_continues()
    {
        _device.Device.Ignore = p => p.Code == (byte)Cfa635Command.SetBacklight;
        var e = await Assert.ThrowsAsync<Cfa635TimeoutException>(() =>
            _link.SendAsync(Cfa635Command.SetBacklight, new byte[] { 50 }, _cts.Token));
        Assert.Contains("SetBacklight (14)", e.Message);
        Assert.Contains("2 attempts", e.Message);
        Assert.Equal(2, _device.Device.Received.Count(p => p.Code == (byte)Cfa635Command.SetBacklight));
        _device.Device.Ignore = null;
        await _link.SendAsync(Cfa635Command.SetBacklight, new byte[] { 50 }, _cts.Token);
        Assert.Equal(50, _device.Device.Backlight);
    }

    [Fact]
    public async Task Slow_display_under_the_timeout_is_answered_without_resend()
    {
        await _link.SendAsync(Cfa635Command.Ping, ReadOnlyMemory<byte>.Empty, _cts.Token); // warm-up: the first call JITs
        _device.Device.ResponseDelay = TimeSpan.FromMilliseconds(300);
        for (var i = 0; i < 3; i++)
            await _link.SendAsync(Cfa635Command.Ping, new[] { (byte)i }, _cts.Token);
        Assert.Equal(0, _link.Resends);
        Assert.Equal(0, _link.StrayResponses);
    }

    [Fact]
    public async Task Corrupted_response_is_dropped_and_the_retry_succeeds()
    {
        await _link.SendAsync(Cfa635Command.Ping, ReadOnlyMemory<byte>.Empty, _cts.Token);
        _device.Device.CorruptNextResponses(1);
        await _link.SendAsync(Cfa635Command.Ping, "x"u8.ToArray(), _cts.Token);
        Assert.Equal(1, _link.Resends);
        Assert.True(_link.CorruptPackets > 0);
    }

    [Fact]
    public async Task Key_reports_arrive_as_reports()
    {
        await _device.Device.PressKeyAsync(LcdKey.Enter, _cts.Token);
        var press = await _link.Reports.ReadAsync(_cts.Token);
        var release = await _link.Reports.ReadAsync(_cts.Token);
        Assert.Equal(new byte[] { 5 }, press.Data.ToArray());
        Assert.Equal(new byte[] { 11 }, release.Data.ToArray());
    }

    [Fact]
    public async Task Unknown_command_is_refused_by_the_display()
    {
        var e = await Assert.ThrowsAsync<Cfa635CommandException>(() =>
            _link.SendAsync((Cfa635Command)40, ReadOnlyMemory<byte>.Empty, _cts.Token));
        Assert.Contains("command 40", e.Message);
    }

    [Fact]
    public async Task Device_survives_corrupted_commands()
    {
        var bad = Cfa635Packet.Command(Cfa635Command.Clear).Encode();
        bad[^2] ^= 0x01;
        await _host.WriteAsync(bad, _cts.Token);
        await _host.WriteAsync(new byte[] { 0x1F, 0x7F, 0x00 }, _cts.Token);
        await _link.SendAsync(Cfa635Command.SendData, new byte[] { 0, 0, (byte)'o', (byte)'k' }, _cts.Token);
        Assert.StartsWith("ok", _device.Device.Lines[0]);
        Assert.True(_device.Device.CorruptPackets > 0);
        Assert.DoesNotContain(_device.Device.Received, p => p.Code == (byte)Cfa635Command.Clear);
    }

    public async ValueTask DisposeAsync()
    {
        await _link.DisposeAsync();
        await _device.DisposeAsync();
        _cts.Dispose();
    }
}
