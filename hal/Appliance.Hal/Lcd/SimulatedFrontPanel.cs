using System.Threading.Channels;

namespace Appliance.Hal.Lcd;

/// <summary>The front panel of <c>--hal simulated</c>: holds the four rows in memory and lets code press keys.</summary>
public sealed class SimulatedFrontPanel : IFrontPanel
{
    private readonly Channel<LcdKey> _keys = Channel.CreateUnbounded<LcdKey>();
    private readonly string[] _lines = LcdText.Blank();
    private readonly object _lock = new();
    private bool _connected;

    /// <inheritdoc/>
    public bool IsConnected => Volatile.Read(ref _connected);

    /// <inheritdoc/>
    public string? LastError => null;

    /// <inheritdoc/>
    public event Action<bool>? ConnectionChanged;

    /// <summary>Raised after the contents changed.</summary>
    public event Action? ScreenChanged;

    /// <inheritdoc/>
    public ChannelReader<LcdKey> KeyPressed => _keys.Reader;

    /// <summary>The four rows as shown, each 20 columns.</summary>
    public string[] Lines
    {
        get
        {
            lock (_lock)
                return (string[])_lines.Clone();
        }
    }

    /// <summary>Presses a key as a person at the panel would.</summary>
    public void InjectKey(LcdKey key) => _keys.Writer.TryWrite(key);

    /// <inheritdoc/>
    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (!_connected)
        {
            Volatile.Write(ref _connected, true);
            ConnectionChanged?.Invoke(true);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task WriteLineAsync(int row, string text, CancellationToken cancellationToken = default)
    {
        LcdText.CheckRow(row);
        lock (_lock)
            _lines[row] = LcdText.Fit(text);
        ScreenChanged?.Invoke();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task SetScreenAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken = default)
    {
        CheckScreen(lines);
        lock (_lock)
            for (var r = 0; r < Cfa635Protocol.Rows; r++)
                _lines[r] = LcdText.Fit(lines[r]);
        ScreenChanged?.Invoke();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ClearAsync(CancellationToken cancellationToken = default) => SetScreenAsync(LcdText.Blank(), cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _keys.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    internal static void CheckScreen(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Count != Cfa635Protocol.Rows)
            throw new ArgumentException($"a screen has {Cfa635Protocol.Rows} rows, got {lines.Count}", nameof(lines));
    }
}
