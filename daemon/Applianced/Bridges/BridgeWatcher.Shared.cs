using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Config;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Store;

namespace Appliance.Daemon.Bridges;

public sealed partial class BridgeWatcher
{
    public const string AlarmPrefix = "bridge:";

    /// <summary>
    /// Keeps what a probe saw: in memory at once; in the shared bridge-status record when the state,
    /// reason or capacity differ from what the record says (so a restart that sees what it saw
    /// before writes nothing, and the state keeps its "since"), or when lastSeen moved and the record's
    /// is older than <see cref="BridgeWatchTimings.Refresh"/> (a probe every 2 s must not become a
    /// replicated write every 2 s). The alarm and the event log follow the state.
    /// </summary>
    private async Task PublishAsync(Watch watch, BridgeHealth seen)
    {
        var last = watch.Health;
        var shared = watch.Shared;
        var now = _time.GetUtcNow();
        if (seen.State != last.State)
            seen = seen with { Since = shared?.State == seen.State ? shared.Since : now };
        lock (_gate) watch.Health = seen;
        if (seen.State != last.State)
        {
            var level = seen.Usable || last.State == BridgeStates.Probing ? "info" : "warning";
            _logs.Event($"bridge {watch.Endpoint}: {seen.State} from this peer ({seen.Reason}; was {last.State})", level);
        }
        Alarm(watch.Endpoint, seen);
        if (!seen.SameShared(shared) || seen.Since != shared!.Since || (seen.LastSeen != shared.LastSeen && now - watch.Written >= Timings.Refresh))
        {
            await WriteAsync(seen);
            watch.Shared = seen;
            watch.Written = now;
        }
        if (!seen.SameShared(last)) Changed?.Invoke(seen);
    }

    private void Alarm(BridgeEndpoint endpoint, BridgeHealth health)
    {
        var raised = health.State is not (BridgeStates.Usable or BridgeStates.Probing);
        var severity = health.State == BridgeStates.Overloaded ? AlarmRegistry.Warning : AlarmRegistry.Error;
        _logs.Alarms.Set(AlarmPrefix + endpoint.Name, raised, severity,
            $"bridge {endpoint} not usable from this peer: {health.State}: {health.Reason}");
    }

    /// <summary>This peer's bridge-status record, as the model accepts it from any peer.</summary>
    internal static JsonObject Record(BridgeHealth h)
    {
        var value = new JsonObject
        {
            [SectionDef.NameField] = h.Bridge,
            ["state"] = h.State,
            ["reason"] = h.Reason.Length > MaxReason ? h.Reason[..MaxReason] : h.Reason,
            ["since"] = ApiTime.Text(h.Since),
        };
        if (h.InUse is { } inUse) value["inUse"] = inUse;
        if (h.Max is { } max) value["max"] = max;
        if (h.LastSeen is { } seen) value["lastSeen"] = ApiTime.Text(seen);
        return value;
    }

    private const int MaxReason = 500;

    private async Task WriteAsync(BridgeHealth health)
    {
        var value = Record(health);
        try
        {
            ConfigOps.Validate(ConfigSchema.BridgeStatus, value);
        }
        catch (ConfigValidationException e)
        {
            // Never stored: peers would refuse it anyway. The state stays visible here and in the alarm.
            _logs.Event($"bridge {health.Bridge}: status not shared: {e.Message}", "error");
            return;
        }
        await _config.Store.WriteAsync([new Mutation(_config.OwnScope, ConfigSchema.BridgeStatus, health.Bridge, value.ToJsonString())]);
    }

    /// <summary>A bridge no longer configured: its alarm and this peer's record of it go.</summary>
    private async Task ForgetAsync(string bridge)
    {
        _logs.Alarms.Lower(AlarmPrefix + bridge);
        if (_config.Store.Get(_config.OwnScope, ConfigSchema.BridgeStatus, bridge)?.Value is not null)
            await _config.Store.WriteAsync([new Mutation(_config.OwnScope, ConfigSchema.BridgeStatus, bridge, null)]);
    }

    /// <summary>Records and alarms of bridges removed while this peer was down (or by a restore).</summary>
    private async Task RemoveStaleAsync(IEnumerable<string> configured)
    {
        var keep = configured.ToHashSet(StringComparer.Ordinal);
        foreach (var r in _config.Store.List(_config.OwnScope, ConfigSchema.BridgeStatus).Where(r => !keep.Contains(r.Key)))
            await ForgetAsync(r.Key);
        foreach (var a in _logs.Alarms.Active().Where(a => a.Id.StartsWith(AlarmPrefix, StringComparison.Ordinal) && !keep.Contains(a.Id[AlarmPrefix.Length..])))
            _logs.Alarms.Lower(a.Id);
    }
}
