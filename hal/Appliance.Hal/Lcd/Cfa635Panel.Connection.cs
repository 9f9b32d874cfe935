namespace Appliance.Hal.Lcd;

public sealed partial class Cfa635Panel
{
    private readonly CancellationTokenSource _stop = new();
    private readonly object _stateLock = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _supervisor;
    private bool _isConnected;

    /// <inheritdoc/>
    public bool IsConnected
    {
        get
        {
            lock (_stateLock)
                return _isConnected;
        }
    }

    /// <inheritdoc/>
    public string? LastError { get; private set; }

    /// <summary>Times the line was opened and the display answered.</summary>
    public int Connections { get; private set; }

    /// <inheritdoc/>
    public event Action<bool>? ConnectionChanged;

    /// <inheritdoc/>
    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        Task wait;
        lock (_stateLock)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            _supervisor ??= Task.Run(() => SuperviseAsync(_stop.Token));
            wait = _connected.Task;
        }
        return wait.WaitAsync(cancellationToken);
    }

    // Keeps the line up for ever: open, handshake, redraw, watch; on any loss wait (doubling) and reopen.
    private async Task SuperviseAsync(CancellationToken stop)
    {
        var delay = _options.ReconnectMinDelay;
        while (!stop.IsCancellationRequested)
        {
            Cfa635Link? link = null;
            try
            {
                link = new Cfa635Link(await _open(stop).ConfigureAwait(false), _options);
                await StartAsync(link, stop).ConfigureAwait(false);
                delay = _options.ReconnectMinDelay;
                await WatchAsync(link, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LastError = e.Message;
            }
            finally
            {
                _link = null;
                SetConnected(false);
                if (link is not null)
                    await link.DisposeAsync().ConfigureAwait(false);
            }
            try
            {
                await Task.Delay(delay, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }
    }

    private async Task StartAsync(Cfa635Link link, CancellationToken stop)
    {
        await link.SendAsync(Cfa635Command.Ping, "hello"u8.ToArray(), stop).ConfigureAwait(false);
        // Presses only: the menu acts on a press and has no use for releases.
        await link.SendAsync(Cfa635Command.ConfigureKeyReporting, new byte[] { Cfa635Protocol.MaskAll, 0 }, stop).ConfigureAwait(false);
        _ = PumpKeysAsync(link);
        await _screenLock.WaitAsync(stop).ConfigureAwait(false);
        try
        {
            // The display may have been power-cycled with the line: it shows nothing we know of.
            await ClearDisplayAsync(link, stop).ConfigureAwait(false);
            await FlushAsync(link, stop).ConfigureAwait(false);
            if (link.Lost.IsCompleted)
                return;
            _link = link;
        }
        finally
        {
            _screenLock.Release();
        }
        Connections++;
        LastError = null;
        SetConnected(true);
    }

    private async Task WatchAsync(Cfa635Link link, CancellationToken stop)
    {
        var poll = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            await Task.WhenAny(link.Lost, Task.Delay(poll, stop)).ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
            if (link.Lost.IsCompleted)
            {
                LastError = link.Lost.Exception?.InnerException?.Message ?? "CFA-635 line closed";
                return;
            }
            // A USB serial adapter pulled out can leave reads hanging; its device node going away is the sure sign.
            if (_devicePath is not null && !SerialLine.Exists(_devicePath))
            {
                LastError = $"serial device {_devicePath} vanished";
                return;
            }
            if (DateTime.UtcNow - link.LastActivityUtc < _options.KeepAlive)
                continue;
            try
            {
                await link.SendAsync(Cfa635Command.Ping, ReadOnlyMemory<byte>.Empty, stop).ConfigureAwait(false);
            }
            catch (Cfa635TimeoutException e)
            {
                LastError = $"display stopped answering: {e.Message}";
                return;
            }
        }
    }

    private async Task PumpKeysAsync(Cfa635Link link)
    {
        await foreach (var report in link.Reports.ReadAllAsync().ConfigureAwait(false))
        {
            if (report.Type == Cfa635Protocol.KeyReport && report.Data.Length >= 1 && LcdKeyCodes.FromPressCode(report.Data.Span[0]) is { } key)
                _keys.Writer.TryWrite(key);
        }
    }

    private void SetConnected(bool connected)
    {
        lock (_stateLock)
        {
            if (_isConnected == connected)
                return;
            _isConnected = connected;
            if (connected)
                _connected.TrySetResult();
            else if (_connected.Task.IsCompleted)
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        ConnectionChanged?.Invoke(connected);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task? supervisor;
        lock (_stateLock)
        {
            if (_stop.IsCancellationRequested)
                return;
            _stop.Cancel();
            supervisor = _supervisor;
        }
        if (supervisor is not null)
            await Task.WhenAny(supervisor, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _keys.Writer.TryComplete();
    }
}
