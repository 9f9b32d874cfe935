namespace Appliance.Daemon.Cluster;

/// <summary>An auto-reset wake-up: many Set calls before a wait collapse into one wake.</summary>
internal sealed class Signal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try { _semaphore.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _semaphore.WaitAsync(timeout, ct);
}
