using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class B2bua
{
    /// <summary>
    /// A request in a dialog of either leg: BYE ends the call (200 here, BYE on the other leg);
    /// OPTIONS is answered here; a re-INVITE and anything else (INFO, UPDATE) is relayed on the other
    /// leg in its dialog, its final answer relayed back. Unknown dialog 481, out of order 500.
    /// </summary>
    internal async Task InDialogAsync(SipServerTransaction t)
    {
        var request = t.Request;
        if (!_dialogs.TryGetValue(SipDialog.IdOfReceived(request), out var leg))
        {
            await t.RespondAsync(481);
            return;
        }
        var (call, fromA) = leg;
        var dialog = fromA ? call.A! : call.B!;
        bool inOrder;
        lock (call.Gate) inOrder = dialog.AcceptRemote(request);
        if (!inOrder)
        {
            await t.RespondAsync(500, "CSeq out of order");
            return;
        }
        switch (request.Method)
        {
            case SipMethods.Bye:
                await t.RespondAsync(200);
                await EndAsync(call, byeA: !fromA, byeB: fromA);
                break;
            case SipMethods.Options:
                var ok = t.CreateResponse(200);
                ok.Headers.Add(SipHeaderNames.Allow, SipTrunk.Allow);
                await t.RespondAsync(ok);
                break;
            default:
                await RelayAsync(call, t, fromA);
                break;
        }
    }

    /// <summary>The request on the other leg with its body; the final back. A 2xx to a re-INVITE is ACKed on the other leg (with the requester's ACK when it carries the answer).</summary>
    private async Task RelayAsync(Call call, SipServerTransaction t, bool fromA)
    {
        var request = t.Request;
        var reinvite = request.Method == SipMethods.Invite;
        SipRequest? onward = null;
        SipEndPoint to = default;
        lock (call.Gate)
        {
            if (!(reinvite && call.Offering))
            {
                if (reinvite) call.Offering = true;
                var other = fromA ? call.B! : call.A!;
                onward = other.CreateRequest(request.Method, contact: reinvite ? (fromA ? call.ContactB : call.ContactA) : null);
                to = fromA ? call.TargetB : call.TargetA;
            }
        }
        if (onward is null)
        {
            await t.RespondAsync(491); // one offer/answer at a time per call
            return;
        }
        CopyBody(request, onward);
        try
        {
            var final = await _stack.SendRequest(onward, to.Transport, to.Remote).Final;
            var response = t.CreateResponse(final.StatusCode, final.ReasonPhrase);
            if (reinvite && final.IsSuccess) response.Headers.Add(SipHeaderNames.Contact, (fromA ? call.ContactA : call.ContactB)!.ToString());
            CopyBody(final, response);
            if (final.IsSuccess)
                lock (call.Gate)
                {
                    call.Sdp(fromCaller: fromA, request.Body);
                    call.Sdp(fromCaller: !fromA, final.Body);
                }
            if (reinvite && final.IsSuccess)
            {
                var ack = (fromA ? call.B! : call.A!).CreateRequest(SipMethods.Ack, onward.CSeq.Number);
                if (request.Body.Length > 0) await _stack.SendAckAsync(ack, to.Transport, to.Remote);
                else lock (call.Gate) call.PendingAck = (ack, to, fromA);
            }
            await RespondQuietlyAsync(t, response);
        }
        finally
        {
            if (reinvite) lock (call.Gate) call.Offering = false;
        }
    }

    /// <summary>
    /// An ACK of a 2xx on either leg. Leg B's own ACKs are sent when its 2xx comes; one waiting for
    /// an answer (late offer, a re-INVITE without SDP) goes now with the body of this one.
    /// </summary>
    private void OnAck(SipRequest ack, SipEndPoint from)
    {
        if (!_dialogs.TryGetValue(SipDialog.IdOfReceived(ack), out var leg)) return;
        var (call, fromA) = leg;
        (SipRequest Ack, SipEndPoint To, bool FromA) pending;
        lock (call.Gate)
        {
            if (call.PendingAck is not { } p || p.FromA != fromA) return;
            pending = p;
            call.PendingAck = null;
            call.Sdp(fromCaller: fromA, ack.Body);
            if (fromA && call.AckB is null) call.AckB = p.Ack;
        }
        CopyBody(ack, pending.Ack);
        _ = _stack.SendAckAsync(pending.Ack, pending.To.Transport, pending.To.Remote);
    }

    /// <summary>Ends a call once: BYE on the legs named (their failure ends it all the same), the participant count follows.</summary>
    private async Task EndAsync(Call call, bool byeA, bool byeB)
    {
        bool counted;
        lock (call.Gate)
        {
            if (call.State == CallState.Ending) return;
            call.State = CallState.Ending;
            counted = call.Counted;
            call.Counted = false;
        }
        Forget(call);
        if (counted) _roster.Leave(call.Conference!);
        var byes = new List<Task>();
        if (byeA && call.A is { } a) byes.Add(ByeAsync(a, call.TargetA));
        if (byeB && call.B is { } b) byes.Add(ByeAsync(b, call.TargetB));
        await Task.WhenAll(byes);
    }

    private async Task ByeAsync(SipDialog dialog, SipEndPoint to)
    {
        SipRequest bye;
        lock (dialog)
        {
            if (dialog.State == SipDialogState.Terminated) return;
            bye = dialog.CreateRequest(SipMethods.Bye);
            dialog.Terminate();
        }
        await _stack.SendRequest(bye, to.Transport, to.Remote).Final;
    }

    /// <summary>A peer that stops cleanly hangs up every call on both legs first (CONFERENCING.md, "What the peer keeps").</summary>
    public async Task HangUpAllAsync(TimeSpan within)
    {
        var all = _calls.Values.Where(c => c.State == CallState.Connected).Select(c => EndAsync(c, byeA: true, byeB: true));
        await Task.WhenAny(Task.WhenAll(all), Task.Delay(within, _time));
    }
}
