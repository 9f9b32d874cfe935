namespace Appliance.Daemon.Store;

/// <summary>
/// Hybrid logical clock: wall-clock milliseconds in the high 48 bits and a counter in the low 16,
/// so versions stay close to real time yet always move forward, even when peers' clocks disagree.
/// </summary>
public sealed class HybridClock(TimeProvider time)
{
    private const int CounterBits = 16;
    private readonly Lock _gate = new();
    private long _last;

    public long Now()
    {
        var physical = time.GetUtcNow().ToUnixTimeMilliseconds() << CounterBits;
        lock (_gate)
        {
            _last = physical > _last ? physical : _last + 1;
            return _last;
        }
    }

    /// <summary>The latest value handed out or observed.</summary>
    public long Last
    {
        get { lock (_gate) return _last; }
    }

    /// <summary>Moves the clock past a version seen from another peer.</summary>
    public void Observe(long remote)
    {
        lock (_gate)
        {
            if (remote > _last) _last = remote;
        }
    }

    public static DateTimeOffset ToTime(long hlc) => DateTimeOffset.FromUnixTimeMilliseconds(hlc >> CounterBits);
}
