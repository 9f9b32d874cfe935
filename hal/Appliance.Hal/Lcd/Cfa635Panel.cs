using System.Text;
using System.Threading.Channels;

namespace Appliance.Hal.Lcd;

/// <summary>
/// The front panel over a CFA-635 on a serial line. Keeps the wanted screen contents, sends only
/// rows that changed, and redraws everything after a reconnect; see Cfa635Panel.Connection.cs for
/// how the line is kept up.
/// </summary>
public sealed partial class Cfa635Panel : IFrontPanel
{
    private readonly Func<CancellationToken, Task<Stream>> _open;
    private readonly string? _devicePath;
    private readonly Cfa635Options _options;
    private readonly Channel<LcdKey> _keys = Channel.CreateUnbounded<LcdKey>();
    private readonly SemaphoreSlim _screenLock = new(1, 1);
    private readonly string[] _desired = LcdText.Blank();
    // What the display is known to show; null where a write failed and the row is unknown.
    private readonly string?[] _shown = new string?[Cfa635Protocol.Rows];
    private volatile Cfa635Link? _link;

    /// <summary>A panel on the serial device at <paramref name="devicePath"/> (for example /dev/ttyUSB0 or a pty).</summary>
    public Cfa635Panel(string devicePath, Cfa635Options? options = null)
        : this(_ => Task.FromResult(SerialLine.Open(devicePath, (options ?? new Cfa635Options()).BaudRate)), options, devicePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
    }

    // For testing: any stream source (an in-memory duplex pair).
    internal Cfa635Panel(Func<CancellationToken, Task<Stream>> open, Cfa635Options? options, string? devicePath = null)
    {
        _open = open;
        _options = options ?? new Cfa635Options();
        _devicePath = devicePath;
    }

    /// <inheritdoc/>
    public ChannelReader<LcdKey> KeyPressed => _keys.Reader;

    /// <summary>The rows the panel wants shown (what the display shows once connected).</summary>
    public string[] Lines
    {
        get
        {
            lock (_desired)
                return (string[])_desired.Clone();
        }
    }

    /// <inheritdoc/>
    public async Task WriteLineAsync(int row, string text, CancellationToken cancellationToken = default)
    {
        LcdText.CheckRow(row);
        await _screenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_desired)
                _desired[row] = LcdText.Fit(text);
            await FlushAsync(_link, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _screenLock.Release();
        }
    }

    /// <inheritdoc/>
    public async Task SetScreenAsync(IReadOnlyList<string> lines, CancellationToken cancellationToken = default)
    {
        SimulatedFrontPanel.CheckScreen(lines);
        await _screenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_desired)
                for (var r = 0; r < Cfa635Protocol.Rows; r++)
                    _desired[r] = LcdText.Fit(lines[r]);
            await FlushAsync(_link, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _screenLock.Release();
        }
    }

    /// <inheritdoc/>
    public async Task ClearAsync(CancellationToken cancellationToken = default)
    {
        await _screenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var blank = LcdText.Blank();
            lock (_desired)
                blank.CopyTo(_desired, 0);
            await ClearDisplayAsync(_link, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _screenLock.Release();
        }
    }

    /// <summary>Sends any command and returns the response (version queries, backlight, diagnostics).</summary>
    /// <exception cref="Cfa635LineLostException">Not connected or the line went away.</exception>
    public Task<Cfa635Packet> SendCommandAsync(Cfa635Command command, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var link = _link ?? throw new Cfa635LineLostException($"CFA-635 not connected ({LastError ?? "not started"}); cannot send {Cfa635Packet.NameOf((byte)command)}");
        return link.SendAsync(command, data, cancellationToken);
    }

    /// <summary>The display's hardware/firmware version text.</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendCommandAsync(Cfa635Command.GetVersion, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return Encoding.ASCII.GetString(response.Data.Span);
    }

    // Caller holds _screenLock. A lost line is not the caller's problem: the supervisor reconnects
    // and redraws. A refused or unanswered write is, and the row stays unknown so it is resent.
    private async Task FlushAsync(Cfa635Link? link, CancellationToken cancellationToken)
    {
        if (link is null)
            return;
        for (var r = 0; r < Cfa635Protocol.Rows; r++)
        {
            string row;
            lock (_desired)
                row = _desired[r];
            if (_shown[r] == row)
                continue;
            _shown[r] = null;
            var data = new byte[2 + Cfa635Protocol.Columns];
            data[1] = (byte)r;
            Encoding.ASCII.GetBytes(row, data.AsSpan(2));
            try
            {
                await link.SendAsync(Cfa635Command.SendData, data, cancellationToken).ConfigureAwait(false);
            }
            catch (Cfa635LineLostException)
            {
                return;
            }
            _shown[r] = row;
        }
    }

    private async Task ClearDisplayAsync(Cfa635Link? link, CancellationToken cancellationToken)
    {
        if (link is null)
            return;
        Array.Fill(_shown, null);
        try
        {
            await link.SendAsync(Cfa635Command.Clear, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (Cfa635LineLostException)
        {
            return;
        }
        LcdText.Blank().CopyTo(_shown, 0);
    }
}
