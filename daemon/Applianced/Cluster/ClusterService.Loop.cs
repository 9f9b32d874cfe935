using Appliance.Daemon.Health;

namespace Appliance.Daemon.Cluster;

/// <summary>
/// The cluster's own loop: the links and sessions run on events and per-link tasks, so this is
/// what goes round steadily. Each turn takes the membership lock (a deadlock there stops it) and
/// re-evaluates the cluster alarms from the links' state (idempotent: only a change is logged), so
/// a condition an event missed is corrected within a turn; it publishes this peer's membership and
/// forgets the peers that are gone (ClusterService.Forget.cs). Its heartbeat is the watchdog's proof
/// that the cluster side of the daemon still runs.
/// </summary>
public sealed partial class ClusterService
{
    private readonly CancellationTokenSource _loopStop = new();
    private Task? _loop;

    /// <summary>Beaten on every turn of the cluster loop, clustered or not.</summary>
    public Heartbeat Loop { get; } = new("cluster", "cluster loop");

    /// <summary>Starts the loop once (the first reconfiguration); it ends with <see cref="DisposeAsync"/>.</summary>
    private void StartLoop()
    {
        lock (_gate)
        {
            _loop ??= Task.Run(() => RunLoop(_loopStop.Token), CancellationToken.None);
            _purger ??= Task.Run(() => RunPurger(_loopStop.Token), CancellationToken.None);
        }
    }

    private async Task RunLoop(CancellationToken ct)
    {
        string? lastError = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Loop.HangIfAsked(ct);
                try
                {
                    ClusterAlarms.Update(this);
                    await PublishMembershipAsync();
                    await ForgetGonePeersAsync();
                    lastError = null;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug here is not a hang: the loop still goes round. Said once, not every turn.
                    if (e.Message != lastError) Logs.Event($"cluster loop: {e.GetType().Name}: {e.Message}", "warning");
                    lastError = e.Message;
                }
                Loop.Beat();
                await Task.Delay(Loop.Interval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
        }
    }

    private async Task StopLoopAsync()
    {
        await _loopStop.CancelAsync();
        Task? loop, purger;
        lock (_gate) (loop, purger) = (_loop, _purger);
        if (loop is not null) await loop;
        if (purger is not null) await purger;
    }
}
