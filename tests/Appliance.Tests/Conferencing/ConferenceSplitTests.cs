using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Store;
using Appliance.Tests.Support;
using StoreClass = Appliance.Daemon.Store.Store;

namespace Appliance.Tests.Conferencing;

/// <summary>
/// The split rule (CONFERENCING.md): two placements of one conference name settle on the record the
/// store keeps; the other placement's peer moves its calls there and destroys its own, and never
/// writes its record again. Checked against the real store's merge, not a copy of its rule.
/// </summary>
public class ConferenceSplitTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-25T10:00:00Z");

    private static LiveConference On(string bridge, string peer, int participants = 2, int secondsLater = 0) =>
        new("meet-1", bridge, "t1", participants, T0.AddSeconds(secondsLater), peer);

    [Fact]
    public void The_kept_record_is_the_greater_version_clock_first_then_origin()
    {
        var a = new VersionedConference(On("b1", "p1"), new RecordVersion(100, "p1"));
        var b = new VersionedConference(On("b2", "p2"), new RecordVersion(101, "p2"));
        Assert.Same(b, ConferenceSplit.Resolve(a, b).Winner);
        Assert.Same(b, ConferenceSplit.Resolve(b, a).Winner);
        var tieA = a with { Version = new RecordVersion(100, "p1") };
        var tieB = b with { Version = new RecordVersion(100, "p2") };
        Assert.Same(tieB, ConferenceSplit.Resolve(tieA, tieB).Winner); // same clock: the origin decides, the same way everywhere
        Assert.Same(tieA, ConferenceSplit.Resolve(tieA, tieB).Loser);
    }

    [Theory]
    [InlineData("b1", "p1", 0, SplitAction.Keep, null, null)]
    [InlineData("b1", "p2", 3, SplitAction.Merge, null, null)]
    [InlineData("b2", "p2", 3, SplitAction.MoveAndDestroy, "b2", "b1")]
    [InlineData("b2", "p1", 9, SplitAction.MoveAndDestroy, "b2", "b1")]
    public void A_peer_settles_its_placement_against_the_kept_record(string keptBridge, string keptBy, int keptLater, SplitAction action, string? moveTo, string? destroyOn)
    {
        var mine = On("b1", "p1", participants: 2);
        var decision = ConferenceSplit.Settle(mine, On(keptBridge, keptBy, participants: 5, secondsLater: keptLater));
        Assert.Equal(action, decision.Action);
        Assert.Equal(moveTo, decision.MoveTo);
        Assert.Equal(destroyOn, decision.DestroyOn);
        Assert.Equal(action == SplitAction.Keep ? 0 : 2, decision.Participants);
    }

    [Fact]
    public void A_removed_record_is_written_again_only_while_the_peer_still_has_calls_in_it()
    {
        Assert.Equal(SplitAction.Rewrite, ConferenceSplit.Settle(On("b1", "p1", participants: 1), null).Action);
        Assert.Equal(SplitAction.Forget, ConferenceSplit.Settle(On("b1", "p1", participants: 0), null).Action);
    }

    [Fact]
    public void A_placement_that_lost_may_not_write_its_record_again()
    {
        var mine = On("b1", "p1");
        Assert.True(ConferenceSplit.MayWrite(mine, mine with { Participants = 7 })); // a join elsewhere changed only the count
        Assert.False(ConferenceSplit.MayWrite(mine, On("b2", "p2")));
        Assert.False(ConferenceSplit.MayWrite(mine, On("b1", "p2")));
    }

    /// <summary>
    /// Two stores, as two peers on both sides of a partition: each writes its own placement of meet-1,
    /// then each applies the other's write. Both keep the same record, the one Resolve names, and only
    /// the peer whose placement lost has anything to do: exactly one conference is destroyed, the
    /// calls all end on the kept bridge.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Both_peers_agree_with_the_real_stores_merge_and_exactly_one_placement_gives_way(bool secondWritesLater)
    {
        using var dir1 = new TempDirectory();
        using var dir2 = new TempDirectory();
        using var s1 = StoreClass.Open(dir1.Path);
        using var s2 = StoreClass.Open(dir2.Path);
        var placed1 = On("b1", s1.PeerId, participants: 2);
        var placed2 = On("b2", s2.PeerId, participants: 3, secondsLater: 1);
        var (first, second) = secondWritesLater ? ((s1, placed1), (s2, placed2)) : ((s2, placed2), (s1, placed1));
        var op1 = Write(first.Item1, first.Item2);
        var op2 = Write(second.Item1, second.Item2);
        first.Item1.ApplyRemote([op2]);
        second.Item1.ApplyRemote([op1]);

        var kept1 = Stored(s1);
        var kept2 = Stored(s2);
        Assert.Equal(kept1, kept2);
        var resolved = ConferenceSplit.Resolve(new(first.Item2, op1.Record.Version), new(second.Item2, op2.Record.Version));
        Assert.Equal(resolved.Winner.Conference, kept1);

        var decisions = new[] { ConferenceSplit.Settle(placed1, kept1), ConferenceSplit.Settle(placed2, kept2) };
        Assert.Single(decisions, d => d.Action == SplitAction.Keep);
        var loser = Assert.Single(decisions, d => d.Action == SplitAction.MoveAndDestroy);
        Assert.Equal(kept1!.Bridge, loser.MoveTo);
        Assert.Equal(resolved.Loser.Conference.Bridge, loser.DestroyOn);
    }

    private static Operation Write(StoreClass store, LiveConference conference) =>
        store.Write([new Mutation(Scopes.Cluster, "conferences", conference.Name, conference.ToItem().ToJsonString())]).Operations.Single();

    private static LiveConference? Stored(StoreClass store) =>
        store.Get(Scopes.Cluster, "conferences", "meet-1") is { Value: { } value }
            ? LiveConference.From(System.Text.Json.Nodes.JsonNode.Parse(value)!.AsObject())
            : null;

    [Fact]
    public void The_placing_peer_destroys_an_empty_conference_after_the_linger_time_or_the_first_active_peer_when_it_is_gone()
    {
        var empty = On("b1", "p2", participants: 0);
        var linger = TimeSpan.FromSeconds(10);
        Assert.True(ConferenceLinger.Due(empty, T0, linger, T0.AddSeconds(10), "p2", ["p1", "p2"]));
        Assert.False(ConferenceLinger.Due(empty, T0, linger, T0.AddSeconds(9), "p2", ["p1", "p2"]));
        Assert.False(ConferenceLinger.Due(empty, T0, linger, T0.AddSeconds(60), "p1", ["p1", "p2"])); // p2 placed it and is here
        Assert.True(ConferenceLinger.Due(empty, T0, linger, T0.AddSeconds(60), "p1", ["p1", "p3"])); // p2 is gone: p1 sorts first
        Assert.False(ConferenceLinger.Due(empty, T0, linger, T0.AddSeconds(60), "p3", ["p1", "p3"]));
        Assert.False(ConferenceLinger.Due(empty with { Participants = 1 }, T0, linger, T0.AddSeconds(60), "p2", ["p2"]));
        Assert.False(ConferenceLinger.Due(empty, null, linger, T0.AddSeconds(60), "p2", ["p2"]));
    }
}
