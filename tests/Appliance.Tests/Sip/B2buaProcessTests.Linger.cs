using Appliance.Sip;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// The linger's last word is the bridge's (CONFERENCING.md, "Linger and destroy"): a conference whose
/// counts say empty is not destroyed while the bridge still lists someone in it, as it does for a
/// moment when another peer's call has joined and its count has not reached the destroyer yet. Here
/// that someone called the bridge straight, so no peer counts it at all.
/// </summary>
public partial class B2buaProcessTests
{
    [Fact(Timeout = 240_000)]
    public async Task An_empty_conference_is_not_destroyed_while_its_bridge_lists_someone_in_it()
    {
        using var bridge = f.BridgeApi();
        await using var caller = new SipCaller();
        var through = caller.Invite(f.Trunk(0), "meet.70");
        var ok = await through.Final;
        Assert.True(ok.StatusCode == 200, $"{ok.StatusCode} {ok.ReasonPhrase}: {ok.Headers[SipHeaderNames.Reason]}");
        var straight = caller.Invite(f.BridgeSip, "meet-70");
        Assert.Equal(200, (await straight.Final).StatusCode);
        await Eventually.WaitUntil(async () => (await bridge.EnumerateParticipantsAsync("meet-70", None)).Count == 2, Settle, "both calls in meet-70 on the bridge");

        Assert.Equal(200, (await through.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => await Participants(0, "meet-70") == 0 && await Participants(1, "meet-70") == 0, Settle, "both peers count meet-70 empty");
        // Its template lingers 1 s and the janitor looks every second: it has looked, and asked the bridge, several times.
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.NotNull(await Conference(0, "meet-70"));
        Assert.Single(await bridge.EnumerateParticipantsAsync("meet-70", None));

        Assert.Equal(200, (await straight.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => await Conference(0, "meet-70") is null && await Conference(1, "meet-70") is null, Settle,
            "meet-70 destroyed once the bridge lists nobody");
        Assert.DoesNotContain(await bridge.EnumerateConferencesAsync(None), c => c.Name == "meet-70");
    }
}
