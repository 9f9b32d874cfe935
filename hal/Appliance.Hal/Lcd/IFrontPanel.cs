using System.Threading.Channels;

namespace Appliance.Hal.Lcd;

/// <summary>The 20x4 front-panel display with its 6-key keypad.</summary>
/// <remarks>Writes made while the panel is disconnected are kept and shown once it is back.</remarks>
public interface IFrontPanel : IAsyncDisposable
{
    /// <summary>True while the display answers.</summary>
    bool IsConnected { get; }

    /// <summary>Why the display is (or last was) not connected, e.g. its device is absent; null before any failure.</summary>
    string? LastError { get; }

    /// <summary>Raised with the new state when the display comes or goes.</summary>
    event Action<bool>? ConnectionChanged;

    /// <summary>Key presses, in order; survives reconnects.</summary>
    ChannelReader<LcdKey> KeyPressed { get; }

    /// <summary>Starts keeping the display connected (reconnecting for ever) and waits for the first connection.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Shows <paramref name="text"/> (fitted to 20 columns) on row 0..3.</summary>
    Task WriteLineAsync(int row, string text, CancellationToken cancellationToken = default);

    /// <summary>Shows four rows at once; only rows that changed go over the line.</summary>
    Task SetScreenAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken = default);

    /// <summary>Blanks the display.</summary>
    Task ClearAsync(CancellationToken cancellationToken = default);
}
