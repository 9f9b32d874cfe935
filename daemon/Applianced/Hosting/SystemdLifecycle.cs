using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// Tells systemd how the daemon is doing: READY=1 when the daemon says so (store open, API
/// listening: not merely when the host started, which is what UseSystemd's lifetime reports),
/// STOPPING=1 as soon as shutdown begins, and WATCHDOG=1 every half WATCHDOG_USEC while running.
/// Without NOTIFY_SOCKET every method is a no-op, so callers need not check.
/// </summary>
public sealed class SystemdLifecycle : IHostedService, IDisposable
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    private readonly ISystemdNotifier _notifier;
    private readonly SystemdNotifySettings _settings;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<SystemdLifecycle> _logger;
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenRegistration _onStopping;
    private Task _watchdog = Task.CompletedTask;
    private int _ready;
    private int _stopping;
    private int _failuresLogged;
    private int _disposed;

    /// <summary>Creates the lifecycle; it does nothing until started or told the daemon is ready.</summary>
    public SystemdLifecycle(ISystemdNotifier notifier, SystemdNotifySettings settings,
        IHostApplicationLifetime lifetime, ILogger<SystemdLifecycle> logger)
    {
        _notifier = notifier;
        _settings = settings;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Sends READY=1, once. Call when the store is open and the API is listening.</summary>
    public void NotifyReady()
    {
        if (Interlocked.Exchange(ref _ready, 1) == 0)
            Send(ServiceState.Ready);
    }

    /// <summary>Sends a free-text STATUS= line that systemctl status shows.</summary>
    public void NotifyStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        // A newline would start another assignment in the datagram.
        Send(new ServiceState("STATUS=" + status.ReplaceLineEndings(" ")));
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires at the very start of host shutdown, before other services
        // stop; StopAsync of this service may run last.
        _onStopping = _lifetime.ApplicationStopping.Register(NotifyStopping);
        if (_notifier.IsEnabled && _settings.WatchdogInterval is { } interval)
        {
            _logger.LogInformation("systemd watchdog: pinging every {Interval}", interval);
            _watchdog = Task.Run(() => PingAsync(interval, _stop.Token), CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        NotifyStopping();
        await _stop.CancelAsync();
        await _watchdog.WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Disposed twice when also resolved as a hosted service through a factory.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _onStopping.Dispose();
        _stop.Cancel();
        _stop.Dispose();
    }

    private void NotifyStopping()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
            Send(ServiceState.Stopping);
    }

    private async Task PingAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                Send(Watchdog);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    // A lost notification must not take the daemon down: systemd then acts on its own timeouts,
    // which is the right outcome, and the log says why.
    private void Send(ServiceState state)
    {
        if (!_notifier.IsEnabled)
            return;
        try
        {
            _notifier.Notify(state);
        }
        catch (SocketException e)
        {
            if (Interlocked.Increment(ref _failuresLogged) <= 3)
                _logger.LogWarning(e, "systemd notification {State} to {Socket} failed", state, _settings.NotifySocket);
        }
    }
}
