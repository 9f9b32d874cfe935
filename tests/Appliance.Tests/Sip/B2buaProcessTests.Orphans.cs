using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

public partial class B2buaProcessTests
{
    /// <summary>
    /// The clean-up of conferences without a record (CONFERENCING.md, "Linger and destroy"): the peers
    /// mark what they create on a bridge with the cluster's id; a marked conference on a bridge with no
    /// record and nobody in it is destroyed after the grace period and logged, while one under another
    /// mark, one without a mark and a marked one with a participant are left alone.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task A_conference_of_ours_without_a_record_is_destroyed_on_the_bridge_and_others_are_left()
    {
        using var bridge = f.BridgeApi();
        var mark = $"appliance cluster {await f.Cluster[0].ClusterId()}";
        await using var caller = new SipCaller();
        var call = caller.Invite(f.Trunk(1), "meet.70");
        Assert.Equal(200, (await call.Final).StatusCode);
        Assert.Equal(mark, Assert.Single(await bridge.EnumerateConferencesAsync(None), c => c.Name == "meet-70").Description); // how ours are made

        await Create(bridge, "orphan-1", mark);
        await Create(bridge, "foreign-1", "appliance cluster another-one");
        await Create(bridge, "unmarked-1", null);
        await Create(bridge, "occupied-1", mark);
        await bridge.CallAsync("participant.add", new XmlRpcStruct { ["conferenceName"] = "occupied-1", ["participantName"] = "someone", ["address"] = "198.18.9.9" }, None);
        try
        {
            await Eventually.WaitUntil(async () => (await bridge.EnumerateConferencesAsync(None)).All(c => c.Name != "orphan-1"), TimeSpan.FromSeconds(150),
                "orphan-1 destroyed by the clean-up", async () => string.Join(", ", (await bridge.EnumerateConferencesAsync(None)).Select(c => c.Name)));
            var logged = new List<string>();
            for (var p = 0; p < 2; p++) logged.AddRange(await Events(p, "conference orphan-1 on bridge sim1 had no record"));
            Assert.Single(logged); // one peer does it
            var left = (await bridge.EnumerateConferencesAsync(None)).Select(c => c.Name).ToList();
            Assert.Contains("foreign-1", left);
            Assert.Contains("unmarked-1", left);
            Assert.Contains("occupied-1", left);
            Assert.Contains("meet-70", left); // it has its record
            Assert.Empty(await Events(0, "conference meet-70 on bridge sim1 had no record"));
        }
        finally
        {
            foreach (var name in new[] { "foreign-1", "unmarked-1", "occupied-1" }) await bridge.DestroyConferenceAsync(name, None);
            Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
        }
    }

    private static async Task Create(Appliance.Daemon.Bridges.BridgeClient bridge, string name, string? description) =>
        await bridge.CreateConferenceAsync(name, null, None, description);
}
