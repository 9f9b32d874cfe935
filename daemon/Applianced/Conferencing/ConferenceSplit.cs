using Appliance.Daemon.Store;

namespace Appliance.Daemon.Conferencing;

public enum SplitAction
{
    /// <summary>The store holds this peer's placement: nothing to do.</summary>
    Keep,

    /// <summary>Another placement won, on the same bridge: both were one conference all along; nothing moves or is destroyed.</summary>
    Merge,

    /// <summary>Another placement won, on another bridge: move this peer's calls there, then destroy this peer's conference.</summary>
    MoveAndDestroy,

    /// <summary>The record was removed while this peer still has calls in the conference: write it again.</summary>
    Rewrite,

    /// <summary>The record was removed and this peer has no calls in it: forget it.</summary>
    Forget,

    /// <summary>
    /// Another peer's placement, which calls of this peer joined, lost to one on another bridge: this
    /// peer moves its calls to the kept bridge; the placement's own peer destroys its conference.
    /// </summary>
    Follow,
}

/// <summary>What a peer does about a placement of its own, given what the store now holds under that name.</summary>
public sealed record SplitDecision(SplitAction Action, string Reason)
{
    /// <summary>Where this peer's calls go (MoveAndDestroy).</summary>
    public string? MoveTo { get; init; }

    /// <summary>The bridge this peer destroys its conference on once its calls left it (MoveAndDestroy).</summary>
    public string? DestroyOn { get; init; }

    /// <summary>This peer's calls in its placement, which count in the winner's record from now on.</summary>
    public int Participants { get; init; }
}

/// <summary>One version of a conference record, as two peers wrote it concurrently.</summary>
public sealed record VersionedConference(LiveConference Conference, RecordVersion Version);

/// <summary>
/// The split rule (CONFERENCING.md): a conference name placed by two peers at once (the same moment,
/// or on both sides of a partition) ends on the bridge of the record the store keeps. The store keeps,
/// on every peer, the write with the greater (HLC, origin) version, so every peer reaches the same
/// answer without another message; the placement that lost moves its calls to the winner's bridge
/// and is destroyed by its own peer, and never writes its record again.
/// </summary>
public static class ConferenceSplit
{
    /// <summary>The version the store keeps of two concurrent writes of one record (Store.MergeRecord's rule), and the other.</summary>
    public static (VersionedConference Winner, VersionedConference Loser) Resolve(VersionedConference a, VersionedConference b) =>
        a.Version > b.Version ? (a, b) : (b, a);

    /// <summary>What the peer holding placement <paramref name="mine"/> does once the store holds <paramref name="stored"/> (null: removed) under its name.</summary>
    public static SplitDecision Settle(LiveConference mine, LiveConference? stored)
    {
        if (stored is null)
        {
            return mine.Participants > 0
                ? new(SplitAction.Rewrite, $"conference {mine.Name} was removed while this peer still has {mine.Participants} participants in it on bridge {mine.Bridge}: its record is written again") { Participants = mine.Participants }
                : new(SplitAction.Forget, $"conference {mine.Name} was removed and this peer has no participants in it");
        }
        if (mine.SamePlacement(stored))
            return new(SplitAction.Keep, $"conference {mine.Name} stays on bridge {mine.Bridge}");
        if (stored.Bridge == mine.Bridge)
        {
            return new(SplitAction.Merge, $"conference {mine.Name} was placed twice on bridge {mine.Bridge}: one conference there; this peer's {mine.Participants} participants count in the kept record")
            {
                Participants = mine.Participants,
            };
        }
        return new(SplitAction.MoveAndDestroy, $"conference {mine.Name} was placed twice; the kept record has it on bridge {stored.Bridge}: this peer moves its {mine.Participants} participants there and destroys its own on bridge {mine.Bridge}")
        {
            MoveTo = stored.Bridge,
            DestroyOn = mine.Bridge,
            Participants = mine.Participants,
        };
    }

    /// <summary>
    /// What a peer that did not place a conference does when the stored record names
    /// <paramref name="kept"/> while <paramref name="held"/> of its calls are in it on bridge
    /// <paramref name="joined"/>: they follow the record there.
    /// </summary>
    public static SplitDecision Follow(string name, string joined, string kept, int held) =>
        new(SplitAction.Follow, $"conference {name}'s kept record has it on bridge {kept}, not on bridge {joined} (that placement lost a split): this peer moves its {held} participants there")
        {
            MoveTo = kept,
            DestroyOn = joined,
            Participants = held,
        };

    /// <summary>
    /// Whether this peer may write the record of its placement (a participant count): only while the
    /// store still holds that placement. A loser that wrote again would win the next comparison and
    /// undo the decision already taken on the other side.
    /// </summary>
    public static bool MayWrite(LiveConference mine, LiveConference? stored) =>
        stored is null ? mine.Participants > 0 : mine.SamePlacement(stored);
}
