using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

public sealed partial class BridgeWatcher
{
    /// <summary>
    /// Bridges asked at once. A site has a handful; a configuration with thousands (a restore, a
    /// script gone wrong) must not open thousands of connections and status writes together: the
    /// others wait their turn, so a round takes longer instead of swamping the peer.
    /// </summary>
    public const int MaxConcurrentProbes = 16;

    private readonly SemaphoreSlim _probeSlots = new(MaxConcurrentProbes, MaxConcurrentProbes);

    private BridgeHealth Probing(string bridge) =>
        new(bridge, BridgeStates.Probing, "not asked yet", null, null, null, _time.GetUtcNow());

    /// <summary>
    /// Probes until stopped: every interval while the bridge answers, backing off while it does not.
    /// A bridge that returns is seen within MaxBackoff + Timeout.
    /// </summary>
    private async Task WatchAsync(Watch watch, CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            BridgeHealth seen;
            await _probeSlots.WaitAsync(ct);
            try
            {
                seen = await ProbeAsync(watch, ct);
            }
            finally
            {
                _probeSlots.Release();
            }
            if (ct.IsCancellationRequested) return;
            try
            {
                await PublishOnceAsync(watch, CallFailureSeen(watch, seen) ?? seen);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store refused the write (full disk?): the live view and the alarm still hold; the next probe tries again.
                _logs.Event($"bridge {watch.Endpoint}: status not shared: {e.Message}", "error");
            }
            failures = seen.State is BridgeStates.Usable or BridgeStates.Overloaded ? 0 : failures + 1;
            await Task.Delay(Timings.Delay(failures), _time, ct);
        }
    }

    /// <summary>
    /// The API's answer, then, for a bridge that can take conferences, its SIP side's: one that does
    /// not answer is unreachable from this peer whatever its API says (capacity kept, as the API gave it).
    /// </summary>
    private async Task<BridgeHealth> ProbeAsync(Watch watch, CancellationToken ct)
    {
        var api = await ProbeApiAsync(watch, ct);
        var seen = api with { ApiAnswers = api.State is BridgeStates.Usable or BridgeStates.Overloaded };
        if (!seen.ApiAnswers || SipProbe is not { } sip || ct.IsCancellationRequested)
            return seen;
        try
        {
            return await sip(watch.Endpoint, Timings.SipTimeout, ct) is { } problem
                ? seen with { State = BridgeStates.Unreachable, Reason = $"{problem} (its API answers: {seen.Reason})" }
                : seen;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return seen;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As for the API: a failure nobody foresaw must not end the watch; it refuses the bridge, by name.
            return seen with { State = BridgeStates.Refused, Reason = $"its SIP side could not be asked: {e.GetType().Name}: {BridgeClient.Clip(e.Message)}" };
        }
    }

    /// <summary>One device.query: health and capacity; a failure is sorted into a state by the client.</summary>
    private async Task<BridgeHealth> ProbeApiAsync(Watch watch, CancellationToken ct)
    {
        var last = watch.Health;
        if (watch.TrustError is { } trust)
            return last with { State = BridgeStates.Refused, Reason = trust, InUse = null, Max = null };
        try
        {
            var load = await watch.Client.QueryAsync(ct);
            var now = _time.GetUtcNow();
            return load.Full
                ? last with
                {
                    State = BridgeStates.Overloaded, InUse = load.PortsInUse, Max = load.PortsMax, LastSeen = now,
                    Reason = load.PortsInUse >= load.PortsMax ? $"all {load.PortsMax} ports in use" : $"all {load.ConferencesMax} conferences in use",
                }
                : last with
                {
                    State = BridgeStates.Usable, InUse = load.PortsInUse, Max = load.PortsMax, LastSeen = now,
                    Reason = $"{load.PortsMax - load.PortsInUse} of {load.PortsMax} ports free",
                };
        }
        catch (BridgeCallException e)
        {
            // Capacity unknown while it does not answer; lastSeen stays the last good answer.
            return last with { State = e.State, Reason = e.Reason, InUse = null, Max = null };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return last;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever a bridge sends must not end its watch: a failure nobody foresaw refuses the bridge, by name.
            return last with { State = BridgeStates.Refused, Reason = $"unexpected {e.GetType().Name}: {BridgeClient.Clip(e.Message)}", InUse = null, Max = null };
        }
    }
}
