namespace Appliance.Daemon.Cluster;

/// <summary>
/// When the recovery safety net pulls. Every peer's timer used to start when the cluster formed, so
/// all peers pulled from and served each other (TLS handshakes, key proofs, digests) in the same
/// second once a minute (issue 19: an idle window held that second or not). Each peer now owns a
/// slot of the interval by its place in the sorted peer list, which is identical on every peer (R1),
/// anchored to the wall clock, which NTP keeps within a second across peers (R5): the peers take
/// turns, with 3 peers one pull round every 20 s and never two in the same second.
/// </summary>
internal static class SafetyNetSchedule
{
    /// <summary>A round is never followed by another sooner than this (a timer that fires a little early).</summary>
    public static readonly TimeSpan MinWait = TimeSpan.FromSeconds(1);

    /// <summary>This peer's offset into every interval: its place in the sorted list times an equal share; 0 when not listed.</summary>
    public static TimeSpan Slot(IReadOnlyList<string> sortedPeers, string? own, TimeSpan interval)
    {
        var place = own is null ? -1 : sortedPeers.ToList().IndexOf(own);
        return place < 0 ? TimeSpan.Zero : interval / sortedPeers.Count * place;
    }

    /// <summary>From <paramref name="now"/> until the next start of the slot, at least <see cref="MinWait"/>.</summary>
    public static TimeSpan UntilNext(DateTimeOffset now, TimeSpan slot, TimeSpan interval)
    {
        var intoInterval = TimeSpan.FromTicks(now.UtcTicks % interval.Ticks);
        var wait = TimeSpan.FromTicks(((slot - intoInterval).Ticks % interval.Ticks + interval.Ticks) % interval.Ticks);
        return wait < MinWait ? wait + interval : wait;
    }
}
