using Tmds.DBus.Protocol;

namespace Appliance.Hal.HostServices;

/// <summary>
/// One NTPSynchronized watch: a PropertiesChanged subscription for prompt news plus a poll loop
/// that also re-subscribes after the bus connection was replaced. Reports only changes.
/// </summary>
internal sealed class NtpSyncWatch : IAsyncDisposable
{
    private readonly DBusHostServices _host;
    private readonly Action<bool> _onChanged;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private bool? _last;
    // Bumped by every signal carrying a value, so a poll whose reply raced a signal does not
    // report its older value after the signal's newer one.
    private long _signalGeneration;
    private DBusConnection? _subscribedOn;
    private IDisposable? _subscription;
    private Task _loop = Task.CompletedTask;

    public NtpSyncWatch(DBusHostServices host, Action<bool> onChanged, TimeSpan pollInterval)
    {
        _host = host;
        _onChanged = onChanged;
        _pollInterval = pollInterval > TimeSpan.Zero ? pollInterval : Timeout.InfiniteTimeSpan;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribe before the first read so a change between the two is not lost.
        await SubscribeIfNeededAsync(cancellationToken).ConfigureAwait(false);
        await PollAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _subscription?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_pollInterval, stop).ConfigureAwait(false);
                await SubscribeIfNeededAsync(stop).ConfigureAwait(false);
                await PollAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the DBusHostServices went first
            }
            catch (Exception e) when (e is HostServiceUnavailableException or HostServiceCallException)
            {
                // Bus or timedated away: keep the last value and try again next interval.
            }
        }
    }

    private async Task SubscribeIfNeededAsync(CancellationToken cancellationToken)
    {
        if (_subscribedOn is not null && _host.IsCurrent(_subscribedOn))
            return;
        _subscription?.Dispose();
        _subscription = null;
        (_subscribedOn, _subscription) = await _host.SubscribeNtpChangesAsync(OnSignal, cancellationToken).ConfigureAwait(false);
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _signalGeneration);
        var value = await _host.GetNtpSynchronizedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (generation == _signalGeneration)
                ReportLocked(value);
        }
    }

    private void OnSignal(bool? value)
    {
        if (value is not { } synchronized)
        {
            // Only invalidated: the signal says it changed but not to what; read it now.
            _wake.Release();
            return;
        }
        lock (_gate)
        {
            _signalGeneration++;
            ReportLocked(synchronized);
        }
    }

    // Called under the lock so reports reach the callback in the order they were decided.
    private void ReportLocked(bool value)
    {
        if (_last == value)
            return;
        _last = value;
        _onChanged(value);
    }
}
