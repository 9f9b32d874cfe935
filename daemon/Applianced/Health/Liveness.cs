namespace Appliance.Daemon.Health;

/// <summary>
/// The loops whose progress the systemd watchdog stands for (store committer, API, cluster loop).
/// A heartbeat is stale when older than <see cref="StaleAfter"/>: half WATCHDOG_USEC, the pace
/// sd_watchdog_enabled(3) advises for pings. Each watched loop goes round at least four times
/// within it, so a busy machine delaying a turn or two does not make it stale, and a stuck loop
/// stops the pings within StaleAfter; systemd restarts the daemon WATCHDOG_USEC after the last one.
/// </summary>
public sealed class Liveness
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private readonly List<Heartbeat> _watched = [];

    /// <param name="staleAfter">Half WATCHDOG_USEC (SystemdNotifySettings.WatchdogInterval); null when there is no watchdog.</param>
    public Liveness(TimeSpan? staleAfter)
    {
        StaleAfter = staleAfter;
        TickInterval = staleAfter is { } limit
            ? TimeSpan.FromTicks(Math.Clamp(limit.Ticks / 4, MinInterval.Ticks, MaxInterval.Ticks))
            : MaxInterval;
    }

    /// <summary>Age at which a loop counts as stuck; null when nobody watches (no watchdog).</summary>
    public TimeSpan? StaleAfter { get; }

    /// <summary>The pace of the watched loops when idle.</summary>
    public TimeSpan TickInterval { get; }

    /// <summary>Judges these heartbeats from now on and sets their pace. Call before their loops start.</summary>
    public void Watch(IEnumerable<Heartbeat> heartbeats)
    {
        lock (_gate)
        {
            foreach (var heartbeat in heartbeats)
            {
                heartbeat.Interval = TickInterval;
                heartbeat.Watched = StaleAfter is not null;
                heartbeat.Beat(); // its age counts from now, not from when it was made
                _watched.Add(heartbeat);
            }
        }
    }

    /// <summary>The watched loops that have not gone round within <see cref="StaleAfter"/>, with their age.</summary>
    public IReadOnlyList<(Heartbeat Heartbeat, TimeSpan Age)> Stale()
    {
        if (StaleAfter is not { } limit) return [];
        lock (_gate) return _watched.Select(h => (h, h.Age)).Where(s => s.Age > limit).ToList();
    }
}
