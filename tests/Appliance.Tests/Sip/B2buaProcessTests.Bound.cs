using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// Leg B's answer is bounded once the bridge sent a provisional: a bridge that rings and then never
/// answers is cancelled and the caller refused, naming why, instead of ringing until the caller gives up.
/// </summary>
public partial class B2buaProcessTests
{
    [Fact(Timeout = 240_000)]
    public async Task A_bridge_that_rings_and_never_answers_is_cancelled_and_the_caller_refused_within_the_bound()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        await bridge.CallAsync("sim.set", new XmlRpcStruct { ["ringMs"] = 180_000 }, None); // rings far longer than the bound
        try
        {
            var call = caller.Invite(f.Trunk(0), "meet.31");
            await call.Ringing.Task.WaitAsync(Settle);
            var rang = DateTime.UtcNow;
            var final = await call.Invite.Final.WaitAsync(TimeSpan.FromSeconds(90)); // 64*T1 = 32 s after the 180, on a loaded machine
            Assert.True(final.StatusCode == 503, $"{final.StatusCode} {final.ReasonPhrase}: {final.Headers[SipHeaderNames.Reason]}");
            var reason = final.Headers[SipHeaderNames.Reason] ?? "";
            Assert.True(reason.Contains("bridge sim1 did not answer the INVITE (no final answer within 32 s of its 100 Trying)", StringComparison.Ordinal), reason); // timed from the first provisional
            Assert.True(DateTime.UtcNow - rang >= TimeSpan.FromSeconds(30), $"refused {DateTime.UtcNow - rang} after the ringing, before the bound");
            await Eventually.WaitUntil(async () => (await Calls(0)).Count == 0, Settle, "the call is gone from peer 1", async () => (await Calls(0)).ToJsonString());
            Assert.Empty(await bridge.EnumerateParticipantsAsync("meet-31", None)); // leg B was cancelled, not left ringing on the bridge
        }
        finally
        {
            await bridge.CallAsync("sim.set", new XmlRpcStruct { ["ringMs"] = 0 }, None);
        }
    }
}
