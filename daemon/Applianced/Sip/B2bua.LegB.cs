using System.Globalization;
using System.Net;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public sealed partial class B2bua
{
    /// <summary>Headers copied from leg A's INVITE to leg B's: who is calling, for the bridge to show (the trunk is trusted).</summary>
    private static readonly string[] CopiedToBridge = [SipHeaderNames.UserAgent, "P-Asserted-Identity", "Remote-Party-ID", "Subject", "Priority"];

    /// <summary>
    /// Leg B: INVITE sip:CONFERENCE@BRIDGE:SIPPORT over the bridge's transport, from the trunk
    /// listener the call came in on; its own Call-ID, tags and CSeq; the caller's SDP as it came.
    /// </summary>
    private async Task StartLegBAsync(Call call)
    {
        var local = call.Invite.Remote.Transport.LocalEndPoint.Address;
        if (RouteTo(call.Bridge!, local, out var problem) is not { } route)
        {
            Forget(call);
            await RefuseAsync(call.Invite, 503, problem!);
            return;
        }
        var (inviteB, contactB) = InviteTo(route, call, local);
        CopyBody(call.Invite.Request, inviteB);
        var (transport, bridge) = (route.Transport, route.Bridge);
        SipClientTransaction sent;
        lock (call.Gate)
        {
            if (call.CancelWanted)
            {
                Forget(call); // cancelled during placement: the stack answered 487, no leg B
                return;
            }
            call.ContactA ??= new SipNameAddress(SipTarget.Contact(SipIds.NewTag(), call.Invite.Remote.Transport));
            call.LegBAttempts++;
            call.CancelSent = false; // a CANCEL belongs to the INVITE it went for: a caller's cancel reaches this one too
            call.ContactB = contactB;
            call.RemoteB = new SipEndPoint(transport, bridge);
            call.InviteB = sent = _stack.SendRequest(inviteB, transport, bridge, r => OnLegBResponse(call, r));
        }
        var final = await sent.Final;
        // The bridge's 487 to the CANCEL the bound sent: the call ends (or is placed again) for the bound's reason.
        if (final.StatusCode == 487 && call.GaveUp is { } gaveUp && gaveUp.Invite == sent)
            final = new SipResponse(408, gaveUp.Why) { IsLocal = true, Headers = final.Headers };
        await OnLegBFinalAsync(call, final);
    }

    /// <summary>Where leg B to <paramref name="bridgeName"/> goes and from which listener; null with the reason when it cannot.</summary>
    private LegBRoute? RouteTo(string bridgeName, IPAddress local, out string? problem)
    {
        var endpoint = _bridges().Client(bridgeName)?.Endpoint;
        var protocol = endpoint?.SipProtocol;
        problem = endpoint is null ? $"bridge {bridgeName} is not configured"
            : !IPAddress.TryParse(endpoint.Address, out _) ? $"bridge {bridgeName}'s address {endpoint.Address} is not an IP address"
            : protocol is null ? $"bridge {bridgeName} takes SIP over {endpoint.SipTransport}, which this peer does not send yet"
            : null;
        var transport = problem is null ? _transportFor(local, protocol!) : null;
        if (problem is null && transport is null)
            problem = protocol == "TLS"
                ? $"bridge {bridgeName} takes SIP over TLS, and {local} has no TLS listener to send leg B from (select a server certificate, certificates.serverCertificate)"
                : $"no {protocol} listener on {local} to send leg B from";
        if (problem is not null) return null;
        return new LegBRoute(transport!, new IPEndPoint(IPAddress.Parse(endpoint!.Address), endpoint.SipPort), endpoint.Address);
    }

    /// <summary>Leg B's INVITE (no body yet): the conference at the bridge, the caller as this peer shows them, a Contact of its own.</summary>
    private static (SipRequest Invite, SipNameAddress Contact) InviteTo(LegBRoute route, Call call, IPAddress local)
    {
        var a = call.Invite.Request;
        var uri = new SipUri(route.Host, route.Bridge.Port, call.Conference);
        if (route.Transport.Protocol != "UDP") uri.Parameters["transport"] = route.Transport.Protocol.ToLowerInvariant();
        var caller = a.From;
        var from = new SipNameAddress(new SipUri(SipStack.Host(local), null, caller.Uri.User ?? "anonymous"), caller.DisplayName);
        var contact = new SipNameAddress(SipTarget.Contact(SipIds.NewTag(), route.Transport));
        var invite = SipBuild.Request(SipMethods.Invite, uri, from, new SipNameAddress(new SipUri(route.Host, null, call.Conference)),
            SipIds.NewCallId(local.ToString()), 1, contact);
        if (a.Headers[SipHeaderNames.MaxForwards] is { } hops && int.TryParse(hops, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            invite.Headers.Set(SipHeaderNames.MaxForwards, (n - 1).ToString(CultureInfo.InvariantCulture));
        foreach (var name in CopiedToBridge)
            foreach (var value in a.Headers.GetAll(name)) invite.Headers.Add(name, value);
        invite.Headers.Add(SipHeaderNames.Allow, SipTrunk.Allow);
        return (invite, contact);
    }

    private sealed record LegBRoute(ISipTransport Transport, IPEndPoint Bridge, string Host);

    /// <summary>
    /// Leg B's provisionals go to A (100 is hop by hop); a CANCEL waiting for one goes now; a 2xx again
    /// is ACKed again. The first provisional bounds the wait for the answer (<see cref="BoundAnswerAsync"/>).
    /// </summary>
    private void OnLegBResponse(Call call, SipResponse r)
    {
        if (r.IsSuccess)
        {
            _ = AckLegBAsync(call, r);
            return;
        }
        if (!r.IsProvisional) return;
        lock (call.Gate)
        {
            if (call.InviteB is { } sent && call.Bounded != sent)
            {
                call.Bounded = sent;
                _ = BoundAnswerAsync(call, sent, r);
            }
        }
        if (r.StatusCode == 100) return;
        bool cancel;
        lock (call.Gate)
        {
            if (call.State == CallState.Placing) call.State = CallState.Ringing;
            cancel = call.CancelWanted && !call.CancelSent;
            if (cancel) call.CancelSent = true;
        }
        if (cancel)
        {
            SendCancel(call);
            return;
        }
        var relayed = Relayed(call.Invite, r, call.ContactA!);
        _ = RespondQuietlyAsync(call.Invite, relayed);
    }

    /// <summary>
    /// B's final answer. 2xx: both dialogs, the answer to A (the stack retransmits it until A's ACK),
    /// B ACKed at once (or, for a late offer, with A's ACK), the call counted in its conference.
    /// Anything else ends the call: 486 when the bridge is busy, 503 with the reason otherwise.
    /// </summary>
    private async Task OnLegBFinalAsync(Call call, SipResponse final)
    {
        if (!final.IsSuccess)
        {
            if (await PlaceAgainAsync(call, final)) return;
            Forget(call);
            if (final.StatusCode == 487 && call.CancelWanted) return;
            var (code, reason) = final.StatusCode switch
            {
                486 or 600 => (486, $"conference {call.Conference} on bridge {call.Bridge} is busy ({final.StatusCode} {final.ReasonPhrase})"),
                404 => (503, $"bridge {call.Bridge} has no conference {call.Conference} (404)"),
                408 when final.IsLocal => (503, $"bridge {call.Bridge} did not answer the INVITE ({final.ReasonPhrase})"),
                _ => (503, $"bridge {call.Bridge} answered {final.StatusCode} {final.ReasonPhrase}"),
            };
            if (code == 486) await RespondQuietlyAsync(call.Invite, WithReason(call.Invite.CreateResponse(486), 486, reason));
            else await RefuseAsync(call.Invite, code, reason);
            return;
        }
        var lateOffer = call.Invite.Request.Body.Length == 0;
        SipResponse ok;
        lock (call.Gate)
        {
            call.B ??= SipDialog.AsUac(call.InviteB!.Request, final);
            _dialogs[call.B.Id] = (call, false);
            ok = Relayed(call.Invite, final, call.ContactA!);
            call.A = SipDialog.AsUas(call.Invite.Request, ok);
            _dialogs[call.A.Id] = (call, true);
            call.Sdp(fromCaller: false, final.Body);
            if (lateOffer) call.PendingAck = (AckOf(call), call.TargetB, true);
        }
        if (!lateOffer) await AckLegBAsync(call, final);
        if (call.CancelWanted || !await RespondQuietlyAsync(call.Invite, ok))
        {
            // The caller cancelled as the bridge answered: that leg B is ended at once.
            if (lateOffer) await AckLegBAsync(call, final);
            await EndAsync(call, byeA: false, byeB: true);
            return;
        }
        lock (call.Gate)
        {
            // A caller that ACKs and hangs up at once can end the call before this runs: counting it now
            // would leave a participant nobody takes away (the conference then never lingers out).
            if (call.State == CallState.Ending) return;
            call.State = CallState.Connected;
            call.Counted = true;
        }
        _roster.Join(call.Conference!);
    }

    private static SipRequest AckOf(Call call) => call.B!.CreateRequest(SipMethods.Ack, call.InviteB!.Request.CSeq.Number);

    /// <summary>ACKs leg B's 2xx (and each retransmission of it) without a body.</summary>
    private async Task AckLegBAsync(Call call, SipResponse ok)
    {
        SipRequest ack;
        lock (call.Gate)
        {
            if (call.PendingAck is { FromA: true }) return; // a late offer: the ACK goes with A's answer
            call.B ??= SipDialog.AsUac(call.InviteB!.Request, ok);
            ack = call.AckB ??= AckOf(call);
        }
        var to = call.TargetB;
        await _stack.SendAckAsync(ack, to.Transport, to.Remote);
    }

    /// <summary>
    /// A bridge answers a call at once (it rings, if at all, while it makes the conference): one that
    /// sent a provisional and then no final answer within as long as timer B gave it for the first
    /// response (64*T1) has hung. Leg B is then cancelled, so the call ends (or, before anything reached
    /// the caller, is placed again) instead of waiting until the caller gives up. A bridge that still
    /// works answers the CANCEL's INVITE 487 at once (or its 200 crosses the CANCEL, and the call goes
    /// on: <see cref="Call.GaveUp"/> only renames a 487); one that does not within
    /// <see cref="CancelGrace"/> is given up here (a local 408).
    /// </summary>
    private async Task BoundAnswerAsync(Call call, SipClientTransaction sent, SipResponse first)
    {
        var limit = _stack.Timers.Timeout;
        await Task.Delay(limit, _time);
        if (sent.State != SipClientState.Proceeding) return;
        var why = $"no final answer within {limit.TotalSeconds:0.###} s of its {first.StatusCode} {first.ReasonPhrase}";
        bool cancel;
        lock (call.Gate)
        {
            if (call.InviteB != sent) return;
            call.GaveUp = (sent, why);
            cancel = !call.CancelSent;
            call.CancelSent = true;
        }
        if (cancel) SendCancel(call);
        await Task.WhenAny(sent.Final, Task.Delay(CancelGrace, _time));
        sent.Abandon(why);
    }

    /// <summary>How long a bridge whose answer was bounded gets to answer the CANCEL's INVITE (8*T1 by default).</summary>
    private TimeSpan CancelGrace => _stack.Timers.T1 * 8;

    private void SendCancel(Call call)
    {
        var cancel = call.InviteB!.CreateCancel();
        _stack.SendRequest(cancel, call.RemoteB.Transport, call.RemoteB.Remote);
    }

    /// <summary>A CANCEL from A (the stack has answered it and the INVITE 487): leg B is cancelled once it may be (9.1).</summary>
    private Task OnCancelledAsync(Call call)
    {
        bool now;
        lock (call.Gate)
        {
            call.CancelWanted = true;
            now = call.InviteB is { State: SipClientState.Proceeding } && !call.CancelSent;
            if (now) call.CancelSent = true;
        }
        if (now) SendCancel(call);
        return Task.CompletedTask;
    }

    /// <summary>B's response as A's: A's transaction, A's To tag, this peer's Contact on A, the body as it came.</summary>
    private static SipResponse Relayed(SipServerTransaction a, SipResponse from, SipNameAddress contact)
    {
        var response = a.CreateResponse(from.StatusCode, from.ReasonPhrase);
        if (from.StatusCode < 300) response.Headers.Add(SipHeaderNames.Contact, contact.ToString());
        if (from.IsSuccess) response.Headers.Add(SipHeaderNames.Allow, SipTrunk.Allow);
        CopyBody(from, response);
        return response;
    }

    private static void CopyBody(SipMessage from, SipMessage to)
    {
        if (from.Body.Length == 0) return;
        to.Headers.Set(SipHeaderNames.ContentType, from.Headers[SipHeaderNames.ContentType] ?? "application/sdp");
        to.Body = from.Body;
    }

    private static SipResponse WithReason(SipResponse response, int code, string reason)
    {
        response.Headers.Add(SipHeaderNames.Reason, $"SIP;cause={code};text=\"{reason.Replace("\"", "'", StringComparison.Ordinal)}\"");
        return response;
    }

    /// <summary>False when A's transaction had its final already (a CANCEL's 487 went first).</summary>
    private static async Task<bool> RespondQuietlyAsync(SipServerTransaction t, SipResponse response)
    {
        try
        {
            await t.RespondAsync(response);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
