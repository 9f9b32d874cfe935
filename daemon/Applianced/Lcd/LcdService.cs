using System.Threading.Channels;
using Appliance.Hal.Lcd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Daemon.Lcd;

/// <summary>
/// Runs the front panel: keeps the display connected, feeds key presses to the menu engine and
/// redraws after every key, every <see cref="RefreshInterval"/> (live status) and on <see cref="Refresh"/>.
/// Host-agnostic (StartAsync/StopAsync); a hosted-service adapter can wrap it.
/// </summary>
public sealed class LcdService : IAsyncDisposable
{
    private readonly IFrontPanel _panel;
    private readonly ILogger _logger;
    private readonly Channel<bool> _refresh = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private long _keysHandled;

    /// <summary>Ties <paramref name="panel"/> to a menu engine over <paramref name="model"/>.</summary>
    public LcdService(IFrontPanel panel, PanelModel model, ILogger<LcdService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(panel);
        _panel = panel;
        Engine = new MenuEngine(model);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The menu state machine this service drives.</summary>
    public MenuEngine Engine { get; }

    /// <summary>How often the screen is redrawn without a key (the status screen is live).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>After this long without a key the panel returns to the status screen.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Tells the event log when the display comes or goes (checked at every redraw); none in tests that do not ask.</summary>
    public PanelPresence? Presence { get; init; }

    /// <summary>Key presses handed to the engine so far (diagnostics; tests wait on it).</summary>
    public long KeysHandled => Interlocked.Read(ref _keysHandled);

    /// <summary>Redraws now (call when the store changed something the panel shows).</summary>
    public void Refresh() => _refresh.Writer.TryWrite(true);

    /// <summary>Starts the loop and returns at once; the display may come later.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops the loop (the panel itself is disposed by its owner).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
            return;
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stop?.Dispose();
    }

    private void OnConnectionChanged(bool connected)
    {
        Presence?.OnConnectionChanged(connected);
        if (connected)
            _logger.LogInformation("front panel connected");
        else
            _logger.LogWarning("front panel disconnected; reconnecting");
    }

    private async Task RunAsync(CancellationToken stop)
    {
        _panel.ConnectionChanged += OnConnectionChanged;
        try
        {
            await LoopAsync(stop);
        }
        finally
        {
            _panel.ConnectionChanged -= OnConnectionChanged;
        }
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var connecting = _panel.ConnectAsync(stop);
        _ = connecting.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        var lastKey = DateTime.UtcNow;
        Task<bool>? keyWait = null;
        Task<bool>? refreshWait = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _panel.SetScreenAsync(Engine.Render(), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogWarning("front panel: redraw failed: {Error}", e.Message);
            }
            Presence?.Check(_panel);
            keyWait ??= _panel.KeyPressed.WaitToReadAsync(stop).AsTask();
            refreshWait ??= _refresh.Reader.WaitToReadAsync(stop).AsTask();
            try
            {
                await Task.WhenAny(keyWait, refreshWait, Task.Delay(RefreshInterval, stop));
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (keyWait.IsCompleted)
            {
                if (keyWait.IsCompletedSuccessfully && !keyWait.Result)
                    break; // the panel was disposed
                keyWait = null;
            }
            if (refreshWait.IsCompleted)
                refreshWait = null;
            _refresh.Reader.TryRead(out _);
            while (_panel.KeyPressed.TryRead(out var key))
            {
                lastKey = DateTime.UtcNow;
                Engine.HandleKey(key);
                Interlocked.Increment(ref _keysHandled);
            }
            if (DateTime.UtcNow - lastKey > IdleTimeout)
            {
                Engine.ReturnToStatus();
                lastKey = DateTime.UtcNow;
            }
        }
    }
}
