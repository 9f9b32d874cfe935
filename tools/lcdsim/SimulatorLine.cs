using Appliance.Hal.Lcd;

namespace Appliance.LcdSim;

/// <summary>Keeps a <see cref="Cfa635Device"/> served on a device path, reopening it when the line goes and comes back.</summary>
internal sealed class SimulatorLine(string path, int baud, TimeSpan responseDelay)
{
    private volatile Cfa635Device? _device;
    private string[] _lastLines = LcdText.Blank();

    /// <summary>Raised when the contents or the line state changed.</summary>
    public event Action? Changed;

    public bool IsOpen => _device is not null;

    public string Status { get; private set; } = "opening";

    public string[] Lines => _device?.Lines ?? _lastLines;

    public async Task PressAsync(LcdKey key, CancellationToken cancellationToken)
    {
        if (_device is { } device)
            await device.PressKeyAsync(key, cancellationToken);
    }

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var stream = SerialLine.Open(path, baud);
                var device = new Cfa635Device(stream) { ResponseDelay = responseDelay };
                device.ScreenChanged += () => Changed?.Invoke();
                _device = device;
                Status = $"serving {path}";
                Changed?.Invoke();
                await device.RunAsync(stop);
                Status = $"{path}: line closed";
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Status = $"{path}: {e.Message}";
            }
            if (_device is { } last)
                _lastLines = last.Lines;
            _device = null;
            Changed?.Invoke();
            try
            {
                await Task.Delay(500, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>The display as a box of 4x20 characters.</summary>
    public static string Box(string[] lines)
    {
        var border = "+" + new string('-', Cfa635Protocol.Columns) + "+";
        return string.Join('\n', [border, .. lines.Select(l => "|" + l + "|"), border]);
    }
}
