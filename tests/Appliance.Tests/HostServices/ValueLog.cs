namespace Appliance.Tests.HostServices;

/// <summary>Collects callback values and lets a test wait until enough arrived.</summary>
internal sealed class ValueLog
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private readonly List<bool> _values = [];
    private readonly SemaphoreSlim _added = new(0);

    public void Add(bool value)
    {
        lock (_gate)
            _values.Add(value);
        _added.Release();
    }

    public async Task<bool[]> WaitForCountAsync(int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            lock (_gate)
            {
                if (_values.Count >= count)
                    return [.. _values];
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _added.WaitAsync(left))
            {
                lock (_gate)
                    throw new TimeoutException($"wanted {count} values within {Timeout}, got [{string.Join(", ", _values)}]");
            }
        }
    }
}
