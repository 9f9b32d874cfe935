using Appliance.Daemon.Bridges;

namespace Appliance.Daemon.Conferencing;

public enum PlacementOutcome
{
    /// <summary>The conference is live: the call joins it on the bridge that hosts it.</summary>
    Join,

    /// <summary>No live conference (or an empty one stranded on a bridge down here): create it on <see cref="PlacementDecision.Bridge"/> and write its record.</summary>
    Create,

    /// <summary>No alias matches (SIP 404).</summary>
    NotFound,

    /// <summary>An alias matches but the call cannot be placed now (SIP 503, with the reason).</summary>
    Unavailable,
}

/// <summary>What to do with one incoming call. Conference, Template and Role are set once an alias matched.</summary>
public sealed record PlacementDecision(PlacementOutcome Outcome, string Reason)
{
    public string? Alias { get; init; }
    public string? Conference { get; init; }
    public string? Template { get; init; }
    public string? Role { get; init; }
    public string? Bridge { get; init; }

    /// <summary>
    /// A Create that overwrites the record of a conference left empty on a bridge this peer cannot use
    /// (CONFERENCING.md, placement step 2), where any other Create writes its record only as new.
    /// </summary>
    public bool Replaces { get; init; }

    /// <summary>The SIP status a refusal answers with (0 for a call that goes ahead).</summary>
    public int SipStatus => Outcome switch
    {
        PlacementOutcome.NotFound => 404,
        PlacementOutcome.Unavailable => 503,
        _ => 0,
    };
}

/// <summary>
/// Everything a placement reads: the called alias, this peer, and the cluster's state as this peer
/// holds it. <paramref name="Bridges"/> is every peer's view of every bridge (the watcher's
/// <see cref="Bridges.BridgeWatcher.Views"/>); placement reads this peer's own (CONFERENCING.md, "Bridge health").
/// </summary>
public sealed record PlacementRequest(string Alias, string ThisPeer, ConferencingConfig Config, IReadOnlyList<(string Peer, BridgeHealth Health)> Bridges,
    IReadOnlyList<LiveConference> Conferences, LicenceCapacity Licences)
{
    /// <summary>Bridges that failed this call's create already, with why: a new conference goes to the next usable one.</summary>
    public IReadOnlyDictionary<string, string> Failed { get; init; } = new Dictionary<string, string>();
}
