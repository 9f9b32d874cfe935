using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

public sealed partial class BridgeWatcher
{
    /// <summary>
    /// What the B2BUA saw on a bridge's SIP side, which device.query cannot show: the bridge refused
    /// leg B's INVITE of a new conference before any provisional, or never answered it (408). The
    /// bridge is shown refused with that reason (status, bridge-status record, alarm, event log) for
    /// <see cref="BridgeWatchTimings.CallFailureHold"/>, so placement sends new conferences elsewhere
    /// meanwhile; probes that find its API healthy do not clear it before then.
    /// </summary>
    public async Task ReportCallFailureAsync(string bridge, string reason)
    {
        Watch? watch;
        var until = _time.GetUtcNow() + Timings.CallFailureHold;
        lock (_gate)
        {
            if (!_watches.TryGetValue(bridge, out watch)) return;
            watch.CallFailure = (reason, until);
        }
        await PublishOnceAsync(watch, CallFailureSeen(watch, watch.Health) ?? watch.Health);
    }

    /// <summary>The probe's result with a call failure still held laid over it; null when none is held.</summary>
    private BridgeHealth? CallFailureSeen(Watch watch, BridgeHealth probed)
    {
        if (watch.CallFailure is not { } failure || _time.GetUtcNow() >= failure.Until) return null;
        return probed with { State = BridgeStates.Refused, Reason = $"{failure.Reason} (new conferences avoid it until {failure.Until:HH:mm:ss})" };
    }

    /// <summary>One publish at a time per bridge: the watch loop and a reported call failure write the same record.</summary>
    private async Task PublishOnceAsync(Watch watch, BridgeHealth seen)
    {
        await watch.Publishing.WaitAsync();
        try { await PublishAsync(watch, seen); }
        finally { watch.Publishing.Release(); }
    }
}
