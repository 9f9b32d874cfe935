using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// What one peer's watcher last saw of one bridge: its state (<see cref="BridgeStates"/>) and why,
/// its ports (participants) in use and in all, when it last answered device.query, and since when the
/// state holds. The watcher keeps it, shares it as a bridge-status record, and placement weighs it.
/// </summary>
public sealed record BridgeHealth(string Bridge, string State, string Reason, int? InUse, int? Max, DateTimeOffset? LastSeen, DateTimeOffset Since)
{
    public bool Usable => State == BridgeStates.Usable;

    /// <summary>
    /// Its API answered the last probe as a bridge's should (usable or overloaded), whatever its SIP
    /// side or a call said since: enough to destroy an empty conference on it (the janitors), which
    /// needs the API alone. Not shared.
    /// </summary>
    public bool ApiAnswers { get; init; }

    /// <summary>Participants it can still take, as placement weighs it: a bridge that gave no capacity counts as having room for one more.</summary>
    public int Free => Max is { } max && max > 0 ? Math.Max(0, max - (InUse ?? 0)) : 1;

    /// <summary>Whether <paramref name="other"/> says something the shared record must carry (lastSeen alone is refreshed slowly).</summary>
    public bool SameShared(BridgeHealth? other) =>
        other is not null && other.State == State && other.Reason == Reason && other.InUse == InUse && other.Max == Max;
}

/// <summary>How often a bridge is asked, and how long the watcher waits.</summary>
public sealed record BridgeWatchTimings
{
    /// <summary>Between probes of a bridge that answers.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest wait between probes of a bridge that does not answer. With <see cref="Timeout"/>
    /// it bounds how long a returning bridge stays unseen: 5 + 3 s, inside the 10 s goal (its SIP side,
    /// asked once the API answered, answers at once when it is back).
    /// </summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connect and answer time allowed to one call.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long the SIP side of a bridge whose API answered has to answer OPTIONS (BridgeWatcher.SipProbe).</summary>
    public TimeSpan SipTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a bridge stays refused after it refused (or never answered) the INVITE of a new conference's first call.</summary>
    public TimeSpan CallFailureHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How stale the shared record's lastSeen may get while nothing else changes (so replication stays quiet).</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Delay(int failures) => failures == 0 ? Interval
        : TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, Interval.Ticks << Math.Min(failures - 1, 16)));
}
