namespace Appliance.Hal.HostServices;

/// <summary>
/// In-memory <see cref="IHostServices"/> for the simulated appliance and for tests of appliers:
/// records what was set, which units run, counts restarts and reboots, and lets NTP sync be flipped by hand.
/// </summary>
public sealed class SimulatedHostServices : IHostServices
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _restarts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _running = new(StringComparer.Ordinal);
    private readonly List<Action<bool>> _ntpWatchers = [];
    private string _hostname = "appliance";
    private string _timezone = "UTC";
    private bool _ntpSynchronized;
    private int _reboots;

    /// <summary>When set, every call throws <see cref="HostServiceUnavailableException"/> with this text.</summary>
    public string? UnavailableReason { get; set; }

    /// <summary>The last static hostname set.</summary>
    public string StaticHostname { get { lock (_gate) return _hostname; } }

    /// <summary>The last timezone set.</summary>
    public string Timezone { get { lock (_gate) return _timezone; } }

    /// <summary>How many reboots were asked for.</summary>
    public int RebootCount { get { lock (_gate) return _reboots; } }

    /// <summary>NTP sync state; setting it notifies watchers when it changes.</summary>
    public bool NtpSynchronized
    {
        get { lock (_gate) return _ntpSynchronized; }
        set
        {
            Action<bool>[] watchers;
            lock (_gate)
            {
                if (_ntpSynchronized == value)
                    return;
                _ntpSynchronized = value;
                watchers = [.. _ntpWatchers];
            }
            foreach (var watcher in watchers)
                watcher(value);
        }
    }

    /// <summary>How many times <paramref name="unitName"/> was restarted.</summary>
    public int RestartCount(string unitName)
    {
        lock (_gate)
            return _restarts.GetValueOrDefault(unitName);
    }

    /// <summary>
    /// Whether <paramref name="unitName"/> was last started (or restarted: true) or stopped (false);
    /// null when it was never touched.
    /// </summary>
    public bool? IsRunning(string unitName)
    {
        lock (_gate)
            return _running.TryGetValue(unitName, out var running) ? running : null;
    }

    /// <inheritdoc />
    public Task SetStaticHostnameAsync(string hostname, CancellationToken cancellationToken = default)
    {
        HostServiceInput.Hostname(hostname);
        ThrowIfUnavailable();
        lock (_gate)
            _hostname = hostname;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetTimezoneAsync(string timezone, CancellationToken cancellationToken = default)
    {
        HostServiceInput.Timezone(timezone);
        ThrowIfUnavailable();
        lock (_gate)
            _timezone = timezone;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> GetNtpSynchronizedAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        return Task.FromResult(NtpSynchronized);
    }

    /// <inheritdoc />
    public Task<IAsyncDisposable> WatchNtpSynchronizedAsync(Action<bool> onChanged, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onChanged);
        ThrowIfUnavailable();
        bool current;
        lock (_gate)
        {
            _ntpWatchers.Add(onChanged);
            current = _ntpSynchronized;
        }
        onChanged(current);
        return Task.FromResult<IAsyncDisposable>(new Unwatch(this, onChanged));
    }

    /// <inheritdoc />
    public Task RestartServiceAsync(string unitName, CancellationToken cancellationToken = default)
    {
        HostServiceInput.UnitName(unitName);
        ThrowIfUnavailable();
        lock (_gate)
        {
            _restarts[unitName] = _restarts.GetValueOrDefault(unitName) + 1;
            _running[unitName] = true;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartServiceAsync(string unitName, CancellationToken cancellationToken = default) => SetRunning(unitName, true);

    /// <inheritdoc />
    public Task StopServiceAsync(string unitName, CancellationToken cancellationToken = default) => SetRunning(unitName, false);

    private Task SetRunning(string unitName, bool running)
    {
        HostServiceInput.UnitName(unitName);
        ThrowIfUnavailable();
        lock (_gate)
            _running[unitName] = running;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task RebootAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnavailable();
        lock (_gate)
            _reboots++;
        return Task.CompletedTask;
    }

    private void ThrowIfUnavailable()
    {
        if (UnavailableReason is { } reason)
            throw new HostServiceUnavailableException(reason);
    }

    private sealed class Unwatch(SimulatedHostServices owner, Action<bool> watcher) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (owner._gate)
                owner._ntpWatchers.Remove(watcher);
            return ValueTask.CompletedTask;
        }
    }
}
