using Appliance.Daemon.Cluster;
using Appliance.Daemon.Sip;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tests.Sip;

/// <summary>
/// The loop under the linger and the split mover: a pass with work left comes every period, a pass
/// that found nothing sleeps until its wake-up is set (an idle daemon's timer wake-ups, issue 19),
/// and a pass that fails is reported and tried again.
/// </summary>
public class PeriodicPassTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();

    [Fact(Timeout = 20_000)]
    public async Task A_pass_that_found_nothing_sleeps_until_woken_then_passes_again()
    {
        var passes = 0;
        var wake = new Signal();
        using var stop = new CancellationTokenSource();
        var loop = PeriodicPass.RunAsync(Period, _time, _ => { Interlocked.Increment(ref passes); return Task.FromResult(false); }, e => throw e, wake, stop.Token);

        await AdvanceUntilAsync(() => Volatile.Read(ref passes) == 1);
        await AdvanceAsync(periods: 20);
        Assert.Equal(1, Volatile.Read(ref passes)); // twenty periods asleep, not a pass

        wake.Set();
        await AdvanceUntilAsync(() => Volatile.Read(ref passes) == 2);
        await AdvanceAsync(periods: 5);
        Assert.Equal(2, Volatile.Read(ref passes));

        stop.Cancel();
        await loop; // a stop ends the loop quietly, asleep or not
    }

    [Fact(Timeout = 20_000)]
    public async Task A_pass_with_work_left_comes_every_period_and_a_failed_one_is_reported_and_tried_again()
    {
        var passes = 0;
        var failures = new List<string>();
        using var stop = new CancellationTokenSource();
        var loop = PeriodicPass.RunAsync(Period, _time, _ =>
        {
            // The second pass fails: with a wake-up given, it still counts as work left.
            if (Interlocked.Increment(ref passes) == 2) throw new InvalidOperationException("bridge gone");
            return Task.FromResult(true);
        }, e => { lock (failures) failures.Add(e.Message); }, new Signal(), stop.Token);

        await AdvanceUntilAsync(() => Volatile.Read(ref passes) >= 5);
        lock (failures) Assert.Equal(["bridge gone"], failures);

        stop.Cancel();
        await loop;
    }

    /// <summary>Moves the clock a period at a time, letting the loop's continuations run between steps, until <paramref name="done"/>.</summary>
    private async Task AdvanceUntilAsync(Func<bool> done)
    {
        for (var step = 0; step < 400 && !done(); step++)
        {
            _time.Advance(Period);
            await Task.Delay(10);
        }
        Assert.True(done(), "the pass did not come");
    }

    private async Task AdvanceAsync(int periods)
    {
        for (var step = 0; step < periods; step++)
        {
            _time.Advance(Period);
            await Task.Delay(10);
        }
    }
}
