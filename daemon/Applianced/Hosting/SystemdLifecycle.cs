using System.Net.Sockets;
using Appliance.Daemon.Health;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// Tells systemd how the daemon is doing: READY=1 when the daemon says so (store open, API
/// listening: not merely when the host started, which is what UseSystemd's lifetime reports),
/// STATUS= lines, STOPPING=1 as soon as shutdown begins, and WATCHDOG=1 while every watched loop
/// makes progress (SystemdLifecycle.Watchdog.cs). Without NOTIFY_SOCKET every method is a no-op,
/// so callers need not check.
/// </summary>
public sealed partial class SystemdLifecycle : IHostedService, IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly SystemdNotifySettings _settings;
    private readonly Liveness _liveness;
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
    public SystemdLifecycle(ISystemdNotifier notifier, SystemdNotifySettings settings, Liveness liveness,
        IHostApplicationLifetime lifetime, ILogger<SystemdLifecycle> logger)
    {
        _notifier = notifier;
        _settings = settings;
        _liveness = liveness;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Sends READY=1, once. Call when the store is open and the API is listening.</summary>
    public void NotifyReady()
    {
        if (Interlocked.Exchange(ref _ready, 1) == 0)
            Send(ServiceState.Ready);
    }

    /// <summary>
    /// Sends a free-text STATUS= line that systemctl status shows. Ignored once stopping has
    /// begun, so a late report cannot replace "stopping".
    /// </summary>
    public void NotifyStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (Volatile.Read(ref _stopping) == 0)
            Send(StatusState(status));
    }

    // A newline would start another assignment in the datagram.
    private static ServiceState StatusState(string status) => new("STATUS=" + status.ReplaceLineEndings(" "));

    /// <summary>
    /// A STATUS= line before the host (and this service) exists, e.g. while the store opens;
    /// nothing without NOTIFY_SOCKET, and a failure only costs the line.
    /// </summary>
    public static void NotifyStatusEarly(string status)
    {
        try { new NotifySocketNotifier(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")).Notify(StatusState(status)); }
        catch (SocketException) { }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires at the very start of host shutdown, before other services
        // stop; StopAsync of this service may run last.
        _onStopping = _lifetime.ApplicationStopping.Register(NotifyStopping);
        if (_notifier.IsEnabled && _settings.WatchdogInterval is { } interval)
        {
            _logger.LogInformation("systemd watchdog: pinging while the store committer, API and cluster loop each go round within {Limit:0.###} s (WATCHDOG_USEC {Timeout:0.###} s)",
                interval.TotalSeconds, (interval * 2).TotalSeconds);
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
        {
            Send(ServiceState.Stopping);
            Send(StatusState("stopping"));
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
