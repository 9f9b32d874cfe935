using Appliance.Daemon.Health;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Appliance.Daemon.Hosting;

public sealed partial class SystemdLifecycle
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");
    private readonly HashSet<Heartbeat> _stuck = [];

    /// <summary>
    /// Pings only while every watched loop goes round (<see cref="Liveness"/>): a timer of its own
    /// would tell systemd the daemon is fine while its store committer or API is hung. Checks twice
    /// per <paramref name="interval"/> (half WATCHDOG_USEC), so pings stop within about that much
    /// of a loop's last turn, and systemd restarts the daemon WATCHDOG_USEC later.
    /// </summary>
    private async Task PingAsync(TimeSpan interval, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval / 2);
        try
        {
            do
            {
                if (Judge()) Send(Watchdog);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    /// <summary>Whether every watched loop is fresh; says once which loop got stuck, and when it goes round again.</summary>
    private bool Judge()
    {
        var stale = _liveness.Stale();
        foreach (var (heartbeat, age) in stale)
        {
            if (_stuck.Add(heartbeat))
                _logger.LogError("watchdog: the {Loop} has made no progress for {Age:0.0} s (since {Since:HH:mm:ss.fff}); " +
                    "not pinging systemd, which restarts the daemon when WatchdogSec runs out",
                    heartbeat.Description, age.TotalSeconds, DateTime.Now - age);
        }
        foreach (var recovered in _stuck.Where(h => stale.All(s => s.Heartbeat != h)).ToList())
        {
            _stuck.Remove(recovered);
            _logger.LogWarning("watchdog: the {Loop} goes round again; pinging systemd again", recovered.Description);
        }
        return stale.Count == 0;
    }
}
