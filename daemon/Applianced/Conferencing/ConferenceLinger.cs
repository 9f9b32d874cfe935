namespace Appliance.Daemon.Conferencing;

/// <summary>
/// Destroying an empty conference (CONFERENCING.md, "Linger"): once its record has shown no
/// participants for the template's linger time, one peer destroys it on its bridge and removes the
/// record. That peer is the one that placed it, or, when that peer is not active (down, cut off,
/// forgotten), the active peer whose id sorts first, so exactly one peer of each side does it.
/// </summary>
public static class ConferenceLinger
{
    /// <summary>The peer that destroys <paramref name="conference"/> when it is due, among the peers active now (this one included).</summary>
    public static string? Destroyer(LiveConference conference, IReadOnlyCollection<string> activePeers) =>
        conference.PlacedBy is { } placer && activePeers.Contains(placer) ? placer
            : activePeers.Order(StringComparer.Ordinal).FirstOrDefault();

    /// <summary>Whether this peer destroys the conference now: empty for the whole linger time, and it is the destroyer.</summary>
    public static bool Due(LiveConference conference, DateTimeOffset? emptySince, TimeSpan linger, DateTimeOffset now,
        string thisPeer, IReadOnlyCollection<string> activePeers) =>
        conference.Participants == 0 && emptySince is { } since && now - since >= linger
        && Destroyer(conference, activePeers) == thisPeer;
}
