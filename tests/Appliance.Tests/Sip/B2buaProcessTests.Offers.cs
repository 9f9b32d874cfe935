using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

public partial class B2buaProcessTests
{
    /// <summary>
    /// One offer/answer at a time per call (CONFERENCING.md, "CANCEL, BYE, re-INVITE"): a re-INVITE
    /// that arrives while another is being relayed (the bridge takes its time answering it) gets 491,
    /// the one under way its 200, and the call goes on.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task A_reinvite_while_another_offer_is_under_way_gets_491()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        var call = caller.Invite(f.Trunk(0), "meet.61");
        Assert.Equal(200, (await call.Final).StatusCode);
        await Eventually.WaitUntil(() => Task.FromResult(call.Dialog is not null), Settle, "the ACK went out");
        await bridge.CallAsync("sim.set", new XmlRpcStruct { ["ringMs"] = 8_000 }, None);
        try
        {
            // The bridge holds the first re-INVITE 8 s; the second comes once the first has reached it.
            var first = call.SendAsync(SipMethods.Invite, SipCaller.Offer);
            await Eventually.WaitUntil(async () => ((XmlRpcStruct)await bridge.CallAsync("sim.get", null, None)).Int("reinvitesHeld") == 1, Settle,
                "the first re-INVITE relayed and held by the bridge");
            var second = await call.SendAsync(SipMethods.Invite, SipCaller.Offer);
            Assert.Equal(491, second.StatusCode);
            Assert.Equal(200, (await first).StatusCode);
        }
        finally
        {
            await bridge.CallAsync("sim.set", new XmlRpcStruct { ["ringMs"] = 0 }, None);
        }
        var after = await call.SendAsync(SipMethods.Invite, SipCaller.Offer);
        Assert.Equal(200, after.StatusCode); // the offer is free again once the first was answered
        Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-61", None)).Count == 0, Settle, "the BYE reached the bridge");
    }
}
