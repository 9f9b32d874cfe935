namespace Appliance.Daemon.Cluster;

/// <summary>
/// Whether this peer has caught up with the cluster since it started. A peer that comes back must
/// not take calls before it holds the conference records written while it was away: kamailio sent
/// a call to a restarted peer as soon as its trunk answered OPTIONS, and the peer placed a second
/// copy of a live conference on another bridge. Until the first pull from a peer completes, the
/// trunk answers 503 (SipTrunk.Holding); a peer that reaches nobody serves after
/// <see cref="CatchUpGrace"/>, as a partitioned side does (the split rule settles it after the heal).
/// Only a peer that starts clustered waits: one that forms or joins a cluster later has been serving
/// its own calls, and turning them away would gain nothing the split rule does not settle.
/// </summary>
public sealed partial class ClusterService
{
    /// <summary>How long a clustered peer that completes no pull waits before it serves alone.</summary>
    public static readonly TimeSpan CatchUpGrace = TimeSpan.FromSeconds(15);

    private long _catchUpFrom;
    private volatile bool _caughtUp;

    /// <summary>Why this peer should not take calls yet, or null when it may.</summary>
    public string? CatchingUp()
    {
        if (_caughtUp) return null;
        if (Time.GetElapsedTime(_catchUpFrom) >= CatchUpGrace)
        {
            _caughtUp = true;
            return null;
        }
        return "catching up with the cluster after a start";
    }

    private void StartCatchUp()
    {
        _catchUpFrom = Time.GetTimestamp();
        _caughtUp = !Settings.Clustered;
    }

    private void CaughtUp() => _caughtUp = true;
}
