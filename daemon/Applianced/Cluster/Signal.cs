namespace Appliance.Daemon.Cluster;

/// <summary>An auto-reset wake-up: many Set calls before a wait collapse into one wake (the replication senders, the appliers, the bridge watcher).</summary>
internal sealed class Signal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        // Already set: releasing again throws, and a thrown exception cost tens of microseconds on
        // the committing thread for every commit that found a sender still busy with the last one
        // (issue 19). The catch is for a Set racing this one.
        if (IsSet) return;
        try { _semaphore.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>Set and not yet waited for.</summary>
    public bool IsSet => _semaphore.CurrentCount > 0;

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}
