using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// An empty conference whose bridge died is not a dead end (CONFERENCING.md, placement step 2): the
/// next call to it, through either peer, places it anew on a bridge that is up, instead of 503 until
/// the dead one is back.
/// </summary>
public partial class B2buaProcessTests
{
    [Fact(Timeout = 300_000)]
    public async Task An_empty_conference_whose_bridge_died_is_placed_anew_on_another_bridge_by_the_next_call()
    {
        // Lingering 10 min, so its record is still there when its bridge dies; sim2 first, then sim1.
        await f.Cluster[0].Add("templates", "tpl-stay", ("preference", "pref-pair"), ("lingerSeconds", "600"));
        await f.Cluster[0].Add("conference-aliases", "al-stay", ("pattern", @"stay\.(\d+)"), ("conference", "stay-$1"), ("role", "guest"),
            ("priority", "30"), ("template", "tpl-stay"));
        using var sim1 = f.BridgeApi();
        await using var caller = new SipCaller();
        try
        {
            await Eventually.WaitUntil(async () => (await f.Cluster[1].Items("conference-aliases")).ContainsKey("al-stay"), Settle, "peer 2 has the stay alias");
            var first = caller.Invite(f.Trunk(0), "stay.1");
            var ok = await first.Final;
            Assert.True(ok.StatusCode == 200, $"{ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
            Assert.Equal("sim2", (string?)(await Conference(0, "stay-1"))?["bridge"]);
            await Eventually.WaitUntil(() => Task.FromResult(first.Dialog is not null), Settle, "the ACK went out");
            Assert.Equal(200, (await first.SendAsync(SipMethods.Bye)).StatusCode);
            await Eventually.WaitUntil(async () => await Participants(1, "stay-1") == 0, Settle, "peer 2 sees stay-1 empty, lingering on sim2");

            f.Sim2.Kill();
            await Eventually.WaitUntil(async () => (string?)(await BridgeStatus(1, "sim2"))["state"] == "unreachable", Settle,
                "peer 2 sees sim2 unreachable", async () => (await BridgeStatus(1, "sim2")).ToJsonString());
            var again = caller.Invite(f.Trunk(1), "stay.1");
            ok = await again.Final;
            Assert.True(ok.StatusCode == 200, $"stay.1 with its bridge sim2 dead: {ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
            await Eventually.WaitUntil(async () => (await sim1.EnumerateParticipantsAsync("stay-1", None)).Count == 1, Settle, "the call is in stay-1 on sim1");
            for (var peer = 0; peer < 2; peer++)
            {
                var p = peer;
                await Eventually.WaitUntil(async () => (string?)(await Conference(p, "stay-1"))?["bridge"] == "sim1", Settle,
                    $"peer {p + 1}'s record of stay-1 names sim1", async () => (await Conference(p, "stay-1"))?.ToJsonString() ?? "no record");
            }
            await Eventually.WaitUntil(() => Task.FromResult(again.Dialog is not null), Settle, "the ACK went out");
            Assert.Equal(200, (await again.SendAsync(SipMethods.Bye)).StatusCode);
        }
        finally
        {
            if (!f.Sim2.Running) await f.Sim2.StartAsync();
            if (await Conference(0, "stay-1") is not null) await f.Cluster[0].Remove("conferences", "stay-1");
            await f.Cluster[0].Remove("conference-aliases", "al-stay");
            await f.Cluster[0].Remove("templates", "tpl-stay");
            try { await sim1.DestroyConferenceAsync("stay-1", None); }
            catch (Appliance.Daemon.Bridges.BridgeCallException) { } // never made there when the test failed before
        }
        // Whole again for the next test: both peers use sim2 again.
        for (var peer = 0; peer < 2; peer++)
        {
            var p = peer;
            await Eventually.WaitUntil(async () => (string?)(await BridgeStatus(p, "sim2"))["state"] == "usable", Settle, $"peer {p + 1} uses sim2 again");
        }
        await Eventually.WaitUntil(async () => (await Calls(0)).Count + (await Calls(1)).Count == 0, Settle, "every call gone from both peers");
    }
}
