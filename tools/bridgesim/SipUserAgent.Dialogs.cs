using Appliance.Sip;

namespace Appliance.BridgeSim;

internal sealed partial class SipUserAgent
{
    /// <summary>The ACK of our 200: the caller is in the conference now. No room any more (another call took it): BYE.</summary>
    private void OnAck(SipRequest ack, SipEndPoint from)
    {
        if (!_legs.TryGetValue(SipDialog.IdOfReceived(ack), out var leg)) return;
        lock (leg)
        {
            if (leg.Joined) return;
            try
            {
                _book.Join(leg.Conference, leg.Participant, leg.Dialog.RemoteParty.Uri.ToString());
                leg.Joined = true;
                return;
            }
            catch (SimFault) { }
        }
        HangUp(leg);
    }

    /// <summary>BYE leaves the conference; a re-INVITE is answered with SDP again (after ringMs); anything else in the dialog 200.</summary>
    private async Task InDialogAsync(SipServerTransaction t)
    {
        var r = t.Request;
        if (!_legs.TryGetValue(SipDialog.IdOfReceived(r), out var leg))
        {
            await t.RespondAsync(481);
            return;
        }
        if (!leg.Dialog.AcceptRemote(r))
        {
            await t.RespondAsync(500, "CSeq out of order");
            return;
        }
        var ok = t.CreateResponse(200);
        if (r.Method == SipMethods.Bye)
        {
            Leave(leg);
        }
        else if (r.Method == SipMethods.Invite)
        {
            // A re-INVITE takes ringMs too, so a test can have one offer under way while another comes.
            if (_switches.RingMs > 0)
            {
                _switches.HoldingReinvite(true);
                try { await Task.Delay(_switches.RingMs); }
                finally { _switches.HoldingReinvite(false); }
            }
            ok.Headers.Add(SipHeaderNames.Contact, new SipNameAddress(SipTarget.Contact("bridge", t.Remote.Transport)).ToString());
            ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            ok.Body = SimSdp.Answer(r.Body, LocalEndPoint.Address);
        }
        await t.RespondAsync(ok);
    }

    private void Leave(Leg leg)
    {
        if (!_legs.TryRemove(leg.Dialog.Id, out _)) return;
        lock (leg)
        {
            if (!leg.Joined) return;
            leg.Joined = false;
        }
        try { _book.Leave(leg.Conference, leg.Participant); }
        catch (SimFault) { } // its conference was destroyed meanwhile
    }

    /// <summary>The bridge dropped a participant: its call, when it is one, ends with a BYE from here.</summary>
    private void OnDropped(string conference, string participant)
    {
        foreach (var leg in _legs.Values.Where(l => l.Conference == conference && l.Participant == participant))
        {
            lock (leg) leg.Joined = false; // the book has let it go already
            HangUp(leg);
        }
    }

    private void HangUp(Leg leg)
    {
        if (!_legs.TryRemove(leg.Dialog.Id, out _)) return;
        var bye = leg.Dialog.CreateRequest(SipMethods.Bye);
        var to = SipTarget.Resolve(leg.Dialog.RemoteTarget, leg.Remote);
        _stack.SendRequest(bye, to.Transport, to.Remote);
    }
}
