using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class B2bua
{
    /// <summary>The bridges this peer's answered calls in <paramref name="conference"/> are on, with how many on each.</summary>
    public IReadOnlyDictionary<string, int> AnsweredOn(string conference) =>
        _calls.Values.Where(c => c.Conference == conference && c.State == CallState.Connected && c.Bridge is not null)
            .GroupBy(c => c.Bridge!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Whether a call of this peer (in any state) is in <paramref name="conference"/> on <paramref name="bridge"/>.</summary>
    public bool HoldsOn(string conference, string bridge) => _calls.Values.Any(c => c.Conference == conference && c.Bridge == bridge);

    /// <summary>
    /// Moves this peer's answered calls in <paramref name="conference"/> from bridge <paramref name="from"/>
    /// to bridge <paramref name="to"/> (a split's loser, CONFERENCING.md "Moving the calls"). Returns
    /// why each call that did not move stayed; such a call is left as it was.
    /// </summary>
    internal async Task<IReadOnlyList<string>> MoveAsync(string conference, string from, string to)
    {
        var problems = new List<string>();
        var calls = _calls.Values.Where(c => c.Conference == conference && c.Bridge == from && c.State == CallState.Connected).ToList();
        foreach (var call in calls)
        {
            if (await MoveCallAsync(call, to) is { } problem) problems.Add($"call {call.Id}: {problem}");
        }
        return problems;
    }

    /// <summary>
    /// One call: a new leg B to <paramref name="to"/> with the caller's last SDP; when the new bridge
    /// answers with other SDP than the caller has, a re-INVITE tells the caller; then the new leg
    /// replaces the old one, which gets its BYE. Any refusal on the way hangs up the new leg only.
    /// </summary>
    private async Task<string?> MoveCallAsync(Call call, string to)
    {
        byte[] offer;
        lock (call.Gate)
        {
            if (call.State != CallState.Connected) return null; // ended meanwhile: nothing to move
            if (call.Offering || call.PendingAck is not null) return "an offer/answer is under way on the call";
            call.Offering = true; // a re-INVITE meanwhile gets 491 and the caller tries again
            offer = call.CallerSdp;
        }
        try
        {
            if (offer.Length == 0) return "the caller's SDP is not known (it has sent none yet)";
            var local = call.Invite.Remote.Transport.LocalEndPoint.Address;
            if (RouteTo(to, local, out var problem) is not { } route) return problem;
            var (invite, contact) = InviteTo(route, call, local);
            invite.Headers.Set(SipHeaderNames.ContentType, call.Invite.Request.Headers[SipHeaderNames.ContentType] ?? "application/sdp");
            invite.Body = offer;
            var sent = _stack.SendRequest(invite, route.Transport, route.Bridge);
            var remote = new SipEndPoint(route.Transport, route.Bridge);
            var (answer, dialog, ack) = await ConfirmAsync(sent, remote);
            if (dialog is null || ack is null) return $"bridge {to} answered {answer.StatusCode} {answer.ReasonPhrase}";
            var target = SipTarget.Resolve(dialog.RemoteTarget, remote);
            string? refused;
            try
            {
                refused = answer.Body.AsSpan().SequenceEqual(call.BridgeSdp) ? null : await TellCallerAsync(call, answer);
            }
            catch
            {
                await ByeAsync(dialog, target); // nothing half-applied: the new leg goes, the call stays on the old one
                throw;
            }
            if (refused is not null)
            {
                await ByeAsync(dialog, target);
                return refused;
            }
            SipDialog? old;
            SipEndPoint oldTarget = default;
            lock (call.Gate)
            {
                old = call.State == CallState.Connected ? call.B : null;
                if (old is not null)
                {
                    oldTarget = call.TargetB;
                    _dialogs.TryRemove(old.Id, out _);
                    (call.B, call.InviteB, call.RemoteB, call.ContactB, call.AckB, call.Bridge) = (dialog, sent, remote, contact, ack, to);
                    _dialogs[dialog.Id] = (call, false);
                    call.Sdp(fromCaller: false, answer.Body);
                }
            }
            if (old is null)
            {
                await ByeAsync(dialog, target); // the call ended while it moved
                return null;
            }
            await ByeAsync(old, oldTarget);
            _logs.Event($"SIP: call {call.Id} moved to conference {call.Conference} on bridge {to}");
            return null;
        }
        finally
        {
            lock (call.Gate) call.Offering = false;
        }
    }

    /// <summary>
    /// Waits for the final answer of an INVITE this peer sent on its own (a moved leg, a re-INVITE to
    /// the caller) and ACKs a 2xx (and each retransmission of it). A refusal has no dialog and no ACK.
    /// </summary>
    private async Task<(SipResponse Final, SipDialog? Dialog, SipRequest? Ack)> ConfirmAsync(SipClientTransaction sent, SipEndPoint remote, SipDialog? within = null)
    {
        var final = await sent.Final;
        if (!final.IsSuccess) return (final, null, null);
        var dialog = within ?? SipDialog.AsUac(sent.Request, final);
        SipRequest ack;
        lock (dialog) ack = dialog.CreateRequest(SipMethods.Ack, sent.Request.CSeq.Number);
        var target = SipTarget.Resolve(dialog.RemoteTarget, remote);
        sent.ResponseReceived += r =>
        {
            if (r.IsSuccess) _ = _stack.SendAckAsync(ack, target.Transport, target.Remote);
        };
        await _stack.SendAckAsync(ack, target.Transport, target.Remote);
        return (final, dialog, ack);
    }

    /// <summary>A re-INVITE to the caller with the new bridge's SDP; null when the caller took it, the reason when not.</summary>
    private async Task<string?> TellCallerAsync(Call call, SipResponse answer)
    {
        SipRequest reinvite;
        SipEndPoint to;
        lock (call.Gate)
        {
            reinvite = call.A!.CreateRequest(SipMethods.Invite, contact: call.ContactA);
            to = call.TargetA;
        }
        CopyBody(answer, reinvite);
        var sent = _stack.SendRequest(reinvite, to.Transport, to.Remote);
        var (final, dialog, _) = await ConfirmAsync(sent, to, call.A);
        if (dialog is null) return $"the caller answered the re-INVITE with the new bridge's SDP {final.StatusCode} {final.ReasonPhrase}";
        lock (call.Gate) call.Sdp(fromCaller: true, final.Body);
        return null;
    }
}
