using System.Net;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Bridges;

/// <summary>
/// bridgesim's SIP user agent, a real process: calls to the conferences made over its XML-RPC API
/// are answered with SDP and become participants the API shows, and leave again; the refusals a
/// bridge gives (no conference, no room, a switch) and a CANCEL before the answer.
/// </summary>
public class BridgeSimSipTests(BridgeSimFixture sim) : IClassFixture<BridgeSimFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;
    private IPEndPoint Sip => new(IPAddress.Parse(sim.Address), BridgeSimProcess.SipPort);

    [Theory(Timeout = 60_000)]
    [InlineData("UDP")]
    [InlineData("TCP")]
    public async Task A_call_to_a_conference_is_answered_with_sdp_and_is_a_participant_until_bye(string protocol)
    {
        using var client = sim.Client();
        var conference = $"sip-{protocol.ToLowerInvariant()}";
        await client.CreateConferenceAsync(conference, null, None);
        await using var caller = new SipCaller();
        try
        {
            var call = caller.Invite(Sip, conference, protocol);
            var ok = await call.Final;
            Assert.Equal(200, ok.StatusCode);
            Assert.Contains(call.Responses, r => r.StatusCode == 180);
            Assert.Equal("application/sdp", ok.Headers[SipHeaderNames.ContentType]);
            Assert.Contains($"c=IN IP4 {sim.Address}", call.Body(ok), StringComparison.Ordinal);
            Assert.Contains("m=audio ", call.Body(ok), StringComparison.Ordinal);
            Assert.Contains("m=video ", call.Body(ok), StringComparison.Ordinal);

            // Joined once the ACK arrived: the API lists it, device.query counts its port.
            await Eventually.WaitUntil(async () => (await client.EnumerateParticipantsAsync(conference, None)).Count == 1, TimeSpan.FromSeconds(15),
                $"the call is a participant of {conference}");
            var participant = Assert.Single(await client.EnumerateParticipantsAsync(conference, None));
            Assert.Equal(call.Invite.Request.CallId, participant.Name);
            Assert.True((await client.QueryAsync(None)).PortsInUse >= 1);

            Assert.Equal(200, (await call.SendAsync(SipMethods.Invite, SipCaller.Offer)).StatusCode); // a re-INVITE keeps the call
            Assert.Equal(200, (await call.SendAsync(SipMethods.Bye)).StatusCode);
            Assert.Empty(await client.EnumerateParticipantsAsync(conference, None));
        }
        finally
        {
            await client.DestroyConferenceAsync(conference, None);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Refusals_unknown_conference_404_full_486_refuse_503_and_cancel_487()
    {
        using var client = sim.Client();
        await using var caller = new SipCaller();
        Assert.Equal(404, (await caller.Invite(Sip, "no-such-conference").Final).StatusCode);

        await client.CreateConferenceAsync("sip-full", 1, None);
        try
        {
            var first = caller.Invite(Sip, "sip-full");
            Assert.Equal(200, (await first.Final).StatusCode);
            await Eventually.WaitUntil(async () => (await client.EnumerateParticipantsAsync("sip-full", None)).Count == 1, TimeSpan.FromSeconds(15), "the first call joined");
            var full = await caller.Invite(Sip, "sip-full").Final;
            Assert.Equal(486, full.StatusCode);
            Assert.Contains("full", full.Headers[SipHeaderNames.Reason], StringComparison.Ordinal);

            // The bridge drops the participant (participant.remove): its call gets a BYE.
            await client.CallAsync("participant.remove", new XmlRpcStruct { ["conferenceName"] = "sip-full", ["participantName"] = first.Invite.Request.CallId }, None);
            await first.HungUpByFarEnd.Task.WaitAsync(TimeSpan.FromSeconds(15));

            await sim.SetAsync(new XmlRpcStruct { ["refuse"] = true });
            try
            {
                Assert.Equal(503, (await caller.Invite(Sip, "sip-full").Final).StatusCode);
            }
            finally
            {
                await sim.SetAsync(new XmlRpcStruct { ["refuse"] = false });
            }

            // Slow to answer: a CANCEL after the 180 ends the INVITE with 487 and nobody joins.
            await sim.SetAsync(new XmlRpcStruct { ["ringMs"] = 20_000 });
            try
            {
                var slow = caller.Invite(Sip, "sip-full");
                await slow.Ringing.Task.WaitAsync(TimeSpan.FromSeconds(15));
                Assert.Equal(200, (await slow.CancelAsync()).StatusCode);
                Assert.Equal(487, (await slow.Final).StatusCode);
            }
            finally
            {
                await sim.SetAsync(new XmlRpcStruct { ["ringMs"] = 0 });
            }
            Assert.Empty(await client.EnumerateParticipantsAsync("sip-full", None));
        }
        finally
        {
            await client.DestroyConferenceAsync("sip-full", None);
        }
    }
}
