using Appliance.Hal.Lcd;

namespace Appliance.Tests.Lcd;

/// <summary>The display double served on one open line (a pty end or an in-memory stream).</summary>
internal sealed class DeviceOnLine : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public DeviceOnLine(Stream stream)
    {
        _stream = stream;
        Device = new Cfa635Device(stream);
        _run = Task.Run(() => Device.RunAsync(_stop.Token));
    }

    public static DeviceOnLine OpenPty(string path) => new(SerialLine.Open(path, 115200));

    public Cfa635Device Device { get; }

    /// <summary>Completes when the device stops serving (line gone).</summary>
    public Task Run => _run;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(3)));
        var close = Task.Run(_stream.Dispose);
        await Task.WhenAny(close, Task.Delay(TimeSpan.FromSeconds(3)));
        _stop.Dispose();
    }
}
