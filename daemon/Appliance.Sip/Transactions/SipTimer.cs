namespace Appliance.Sip;

/// <summary>A one-shot timer on the stack's clock that can be re-armed and stopped; callbacks run on the pool.</summary>
internal sealed class SipTimer(TimeProvider time, Action fire) : IDisposable
{
    private ITimer? _timer;

    public void Arm(TimeSpan due)
    {
        _timer?.Dispose();
        _timer = time.CreateTimer(_ => fire(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    public void Stop()
    {
        _timer?.Dispose();
        _timer = null;
    }

    public void Dispose() => Stop();
}
