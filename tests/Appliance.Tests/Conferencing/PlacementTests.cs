using Appliance.Daemon.Bridges;
using System.Text.Json.Nodes;
using Appliance.Daemon.Conferencing;
using Appliance.Daemon.Config;
using static Appliance.Tests.Config.ConfigAssert;

namespace Appliance.Tests.Conferencing;

/// <summary>
/// Placement decisions (issue 21), table-driven over one configuration read the way the daemon reads
/// it (validated items through <see cref="ConferencingConfig.From"/>): aliases by priority, the
/// replace string, the preference's pools in order, bridge health as this peer sees it, capacity,
/// licences and template limits, and joining a live conference on another peer's bridge.
/// </summary>
public class PlacementTests
{
    private const string Me = "peer-1";
    private const string Other = "peer-2";

    private static JsonObject Item(string section, string name, string fields) => ConfigOps.CreateItem(section, name, Fields(fields)).Value;

    private static readonly (string Section, JsonObject Item)[] Items =
    [
        ("bridge-pools", Item("bridge-pools", "near", "bridges=b1,b2")),
        ("bridge-pools", Item("bridge-pools", "far", "bridges=b2,b3")),
        ("service-preferences", Item("service-preferences", "normal", "pools=near,far")),
        ("templates", Item("templates", "meeting", "preference=normal;maxParticipants=3")),
        ("templates", Item("templates", "vip", "preference=normal;licence=personal")),
        ("templates", Item("templates", "small", "preference=normal;maxConferences=1")),
        ("templates", Item("templates", "orphan", "")),
        ("conference-aliases", Item("conference-aliases", "meet", @"pattern=meet\.(\d+)@example\.com;conference=meet-$1;priority=20;template=meeting")),
        // Also matches meet.NNNN, but tried later (priority 30): the meeting alias makes the name.
        ("conference-aliases", Item("conference-aliases", "any", @"pattern=(\w+)\.(\d+)@example\.com;conference=$1-any-$2;priority=30;template=meeting")),
        // Same priority as "meet" and a name that sorts first: tried first, for chair.meet aliases only.
        ("conference-aliases", Item("conference-aliases", "chair", @"pattern=chair\.meet\.(\d+)@example\.com;conference=meet-$1;role=chair;priority=20;template=meeting")),
        ("conference-aliases", Item("conference-aliases", "vip", @"pattern=vip\.(?<room>\w+)@example\.com;conference=vip-${room};priority=5;template=vip")),
        ("conference-aliases", Item("conference-aliases", "small", @"pattern=small\.(\d+)@example\.com;conference=small-$1;priority=5;template=small")),
        ("conference-aliases", Item("conference-aliases", "orphan", @"pattern=orphan@example\.com;conference=orphan;priority=5;template=orphan")),
        ("conference-aliases", Item("conference-aliases", "raw", @"pattern=raw\.(.+)@example\.com;conference=$1;priority=5;template=meeting")),
    ];

    // After Items: static fields start in the order they are written.
    private static readonly ConferencingConfig Config = ConferencingConfig.From(new ConfigLookup(section => Items.Where(i => i.Section == section).Select(i => i.Item).ToList()));

    private static (string, BridgeHealth) Up(string bridge, int inUse = 0, int capacity = 100, string peer = Me) =>
        (peer, new(bridge, BridgeStates.Usable, "", inUse, capacity, T0, T0));

    private static (string, BridgeHealth) Down(string bridge, string reason = "no answer since 10:00:00", string state = BridgeStates.Unreachable, string peer = Me) =>
        (peer, new(bridge, state, reason, null, null, null, T0));

    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-25T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static LiveConference Live(string name, string bridge, int participants, string template = "meeting", string placedBy = Other) =>
        new(name, bridge, template, participants, DateTimeOffset.Parse("2026-11-25T10:00:00Z"), placedBy);

    private static readonly LicenceCapacity Plenty = new(Personal: 50, Shared: 50);

    public sealed record Case(string Alias, (string Peer, BridgeHealth Health)[] Bridges, LiveConference[] Conferences, LicenceCapacity Licences,
        PlacementOutcome Outcome, string? Bridge, string? Conference, string Reason);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["no alias matches: 404"] = new("someone@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.NotFound, null, null, "no conference alias matches 'someone@example.com'"),
        ["a pattern matches the whole alias only"] = new("xmeet.12@example.com.evil", [Up("b1")], [], Plenty,
            PlacementOutcome.NotFound, null, null, "no conference alias matches"),
        ["the replace string makes the conference name"] = new("meet.1234@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.Create, "b1", "meet-1234", "new conference on bridge b1"),
        ["a named group makes the conference name"] = new("vip.board@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.Create, "b1", "vip-board", "new conference on bridge b1"),
        ["the lower priority is tried first"] = new("meet.77@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.Create, "b1", "meet-77", ""),
        ["a later alias matches what earlier ones do not"] = new("room.77@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.Create, "b1", "room-any-77", ""),
        ["a name that is no item name: 404 naming the alias"] = new("raw.a b@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.NotFound, null, "a b", "alias raw makes 'a b' of it, which is not a valid name"),
        ["the most free bridge of the first pool"] = new("meet.1@example.com", [Up("b1", 90), Up("b2", 10), Up("b3")], [], Plenty,
            PlacementOutcome.Create, "b2", "meet-1", ""),
        ["a full bridge is passed over"] = new("meet.1@example.com", [Up("b1", 100), Up("b2", 99, 99), Up("b3", 0, 10)], [], Plenty,
            PlacementOutcome.Create, "b3", "meet-1", ""),
        ["a down bridge is passed over for the next pool"] = new("meet.1@example.com", [Down("b1"), Down("b2"), Up("b3")], [], Plenty,
            PlacementOutcome.Create, "b3", "meet-1", ""),
        ["another peer's view does not make a bridge usable here"] = new("meet.1@example.com", [Up("b1", peer: Other), Up("b3")], [], Plenty,
            PlacementOutcome.Create, "b3", "meet-1", ""),
        ["no usable bridge: 503 naming each"] = new("meet.1@example.com", [Down("b1"), Up("b2", 5, 5)], [], Plenty,
            PlacementOutcome.Unavailable, null, "meet-1",
            "no usable bridge in service preference normal: b1 down: unreachable: no answer since 10:00:00; b2 full (5 of 5 in use); b3 not yet seen by this peer"),
        ["a live conference is joined on the bridge another peer placed it on"] = new("meet.5@example.com", [Up("b1"), Up("b3")], [Live("meet-5", "b3", 2)], Plenty,
            PlacementOutcome.Join, "b3", "meet-5", "conference meet-5 is live on bridge b3"),
        ["a live conference whose bridge this peer cannot reach: 503"] = new("meet.5@example.com", [Up("b1"), Down("b3", "TLS: untrusted certificate", BridgeStates.Refused)], [Live("meet-5", "b3", 2)], Plenty,
            PlacementOutcome.Unavailable, "b3", "meet-5", "bridge b3, which hosts conference meet-5, is not usable from this peer (down: refused: TLS: untrusted certificate)"),
        ["an empty live conference whose bridge is down here is placed anew"] = new("meet.5@example.com", [Up("b1"), Down("b3")], [Live("meet-5", "b3", 0)], Plenty,
            PlacementOutcome.Create, "b1", "meet-5", "bridge b3, which hosts conference meet-5, is not usable from this peer (down: unreachable: no answer since 10:00:00), and nobody is in it: new conference on bridge b1"),
        ["an empty live conference whose bridge this peer has not seen yet: 503, not moved"] = new("meet.5@example.com", [Up("b1")], [Live("meet-5", "b3", 0)], Plenty,
            PlacementOutcome.Unavailable, "b3", "meet-5", "bridge b3, which hosts conference meet-5, is not usable from this peer (not yet seen by this peer)"),
        ["an empty conference stranded with nowhere else to go: 503 naming both"] = new("meet.5@example.com", [Down("b1"), Down("b3")], [Live("meet-5", "b3", 0)], Plenty,
            PlacementOutcome.Unavailable, null, "meet-5", "bridge b3, which hosts conference meet-5, is not usable from this peer (down: unreachable: no answer since 10:00:00), and nobody is in it, but it cannot be placed anew: no usable bridge in service preference normal: b1 down"),
        ["a stranded conference placed anew does not count against its template's maxConferences"] = new("small.1@example.com", [Up("b1"), Down("b3")], [Live("small-1", "b3", 0, "small")], Plenty,
            PlacementOutcome.Create, "b1", "small-1", "bridge b3, which hosts conference small-1"),
        ["a full conference: 503"] = new("meet.5@example.com", [Up("b1")], [Live("meet-5", "b1", 3)], Plenty,
            PlacementOutcome.Unavailable, "b1", "meet-5", "conference meet-5 is full: 3 of template meeting's maxParticipants 3"),
        ["shared licences exhausted: 503"] = new("meet.9@example.com", [Up("b1")], [Live("meet-5", "b1", 2), Live("meet-6", "b1", 2)], new(50, 4),
            PlacementOutcome.Unavailable, null, "meet-9", "shared multiparty licences exhausted: 4 in use of the cluster's 4"),
        ["personal licences are counted apart from shared ones"] = new("vip.a@example.com", [Up("b1")], [Live("meet-5", "b1", 2)], new(0, 50),
            PlacementOutcome.Unavailable, null, "vip-a", "personal multiparty licences exhausted: 0 in use of the cluster's 0"),
        ["licences exhausted also refuse a join"] = new("meet.5@example.com", [Up("b1")], [Live("meet-5", "b1", 2)], new(50, 2),
            PlacementOutcome.Unavailable, "b1", "meet-5", "shared multiparty licences exhausted: 2 in use of the cluster's 2"),
        ["a template at its maxConferences: 503"] = new("small.2@example.com", [Up("b1")], [Live("small-1", "b1", 1, "small")], Plenty,
            PlacementOutcome.Unavailable, null, "small-2", "template small is full: 1 live conferences of its maxConferences 1"),
        ["a template without a service preference: 503"] = new("orphan@example.com", [Up("b1")], [], Plenty,
            PlacementOutcome.Unavailable, null, "orphan", "template orphan has no service preference, so no bridge is chosen for it"),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Decides(string name)
    {
        var c = Cases[name];
        var decision = Placement.Decide(new PlacementRequest(c.Alias, Me, Config, c.Bridges, c.Conferences, c.Licences));
        Assert.Equal(c.Outcome, decision.Outcome);
        Assert.Equal(c.Bridge, decision.Bridge);
        Assert.Equal(c.Conference, decision.Conference);
        Assert.StartsWith(c.Reason, decision.Reason, StringComparison.Ordinal);
        Assert.Equal(c.Outcome switch { PlacementOutcome.NotFound => 404, PlacementOutcome.Unavailable => 503, _ => 0 }, decision.SipStatus);
    }

    [Fact]
    public void Only_a_conference_placed_anew_overwrites_the_record_the_others_write_it_as_new()
    {
        var anew = Placement.Decide(new PlacementRequest("meet.5@example.com", Me, Config, [Up("b1"), Down("b3")], [Live("meet-5", "b3", 0)], Plenty));
        Assert.True(anew.Replaces);
        var fresh = Placement.Decide(new PlacementRequest("meet.6@example.com", Me, Config, [Up("b1"), Down("b3")], [Live("meet-5", "b3", 0)], Plenty));
        Assert.Equal((PlacementOutcome.Create, false), (fresh.Outcome, fresh.Replaces));
    }

    [Fact]
    public void Aliases_of_equal_priority_are_tried_by_name_and_carry_their_role()
    {
        Assert.Equal(["orphan", "raw", "small", "vip", "chair", "meet", "any"], Config.Aliases.Select(a => a.Name));
        var chair = Placement.Decide(new PlacementRequest("chair.meet.3@example.com", Me, Config, [Up("b1")], [], Plenty));
        Assert.Equal(("chair", "meet-3", "chair"), (chair.Alias, chair.Conference, chair.Role));
        var guest = Placement.Decide(new PlacementRequest("meet.3@example.com", Me, Config, [Up("b1")], [], Plenty));
        Assert.Equal(("meet", "meet-3", "guest"), (guest.Alias, guest.Conference, guest.Role));
    }

    [Fact]
    public void Every_peer_given_the_same_state_decides_the_same()
    {
        (string, BridgeHealth)[] seen = [Up("b1", 50), Up("b2", 50), Up("b1", 50, peer: Other), Up("b2", 50, peer: Other)];
        var mine = Placement.Decide(new PlacementRequest("meet.8@example.com", Me, Config, seen, [], Plenty));
        var theirs = Placement.Decide(new PlacementRequest("meet.8@example.com", Other, Config, seen, [], Plenty));
        Assert.Equal(mine, theirs);
        Assert.Equal("b1", mine.Bridge); // equal free capacity: the pool's order
    }

    [Fact]
    public void An_alias_longer_than_any_conference_alias_is_not_matched()
    {
        var decision = Placement.Decide(new PlacementRequest("meet.1@example.com" + new string('x', Placement.MaxAliasLength), Me, Config, [Up("b1")], [], Plenty));
        Assert.Equal(PlacementOutcome.NotFound, decision.Outcome);
    }
}
