using System.Text.Json.Nodes;
using Appliance.Hal;
using Appliance.Tests.Support;

namespace Appliance.Tests.Appliers;

/// <summary>Records that arrive from a peer: shared ones are applied here too, another peer's own ones are not.</summary>
public sealed class ReplicatedApplyTests
{
    [Fact]
    public async Task Shared_firewall_rules_from_a_peer_are_applied_and_its_peer_specific_speed_is_not()
    {
        await using var a = NodeFixture.Start();
        await using var b = NodeFixture.Start();
        // Every commit on A reaches B as replication would deliver it (in order, one batch per commit).
        a.Node.Store.Committed += c =>
        {
            if (!c.Remote) b.Node.Store.ApplyRemote(c.Operations);
        };
        await a.Set("ethernet.speed", "10half");
        await a.Call("firewall.stage", new JsonObject { ["name"] = "snmp", ["priority"] = "3", ["protocol"] = "udp", ["port"] = "161", ["action"] = "drop" });
        await a.Call("firewall.activate", new JsonObject { ["seconds"] = "60" });
        await a.Call("firewall.accept");

        await NodeFixture.Eventually(() => b.Hal.Firewall.ReadBackAsync().Result?.Ruleset.OperatorRules.Count == 1, () => "B does not run A's activated rule");
        Assert.Equal(LinkSpeed.Speed10Half, ((SimulatedLinkSettings)a.Hal.Link).SpeedOf("eth0"));
        await b.Settled(b.Appliers.Link);
        Assert.Equal(LinkSpeed.Auto, ((SimulatedLinkSettings)b.Hal.Link).SpeedOf("eth0"));
        Assert.Single(b.Appliers.FirewallWindow.Active);
        Assert.Null(b.Appliers.FirewallWindow.Deadline); // the window belongs to the peer that activated
    }
}
