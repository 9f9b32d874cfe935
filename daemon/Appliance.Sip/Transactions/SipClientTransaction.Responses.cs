namespace Appliance.Sip;

public sealed partial class SipClientTransaction
{
    internal void OnResponse(SipResponse response)
    {
        bool deliver, completed = false;
        byte[]? ackToSend = null;
        lock (_gate)
        {
            switch (State)
            {
                case SipClientState.Terminated:
                    return;
                case SipClientState.Completed:
                    // A retransmitted final: re-ACK it (INVITE), absorb it either way.
                    ackToSend = response.IsProvisional ? null : _ack;
                    deliver = false;
                    break;
                case SipClientState.Accepted:
                    // Retransmitted 2xx: the transaction user ACKs each one (RFC 6026 7.2).
                    deliver = response.IsSuccess;
                    break;
                default:
                    deliver = true;
                    if (response.IsProvisional)
                    {
                        State = SipClientState.Proceeding;
                        if (IsInvite) _retransmit.Stop();
                    }
                    else if (IsInvite && response.IsSuccess)
                    {
                        State = SipClientState.Accepted;
                        _retransmit.Stop();
                        _timeout.Stop();
                        _linger.Arm(_stack.Timers.Timeout); // timer M
                        completed = true;
                    }
                    else
                    {
                        State = SipClientState.Completed;
                        _retransmit.Stop();
                        _timeout.Stop();
                        completed = true;
                        if (IsInvite) ackToSend = _ack = Ack(response).ToBytes();
                        var wait = Remote.Transport.IsReliable ? TimeSpan.Zero : IsInvite ? _stack.Timers.D : _stack.Timers.K;
                        if (wait > TimeSpan.Zero) _linger.Arm(wait);
                    }
                    break;
            }
        }
        if (ackToSend is not null) Send(ackToSend);
        if (completed) _final.TrySetResult(response);
        if (deliver) ResponseReceived?.Invoke(response);
        if (completed && State == SipClientState.Completed && Remote.Transport.IsReliable) Terminate();
    }

    /// <summary>
    /// The ACK of a non-2xx final (17.1.1.3): the INVITE's Request-URI, top Via, From, Call-ID, CSeq
    /// number and Route, the response's To (with its tag).
    /// </summary>
    private SipRequest Ack(SipResponse response) => SameTransaction(SipMethods.Ack, response.Headers[SipHeaderNames.To]!);

    /// <summary>
    /// The CANCEL of this INVITE (9.1): same Request-URI, top Via (so it matches the server's
    /// transaction), From, To, Call-ID, CSeq number and Route. Send it with
    /// <see cref="SipStack.SendRequest"/> once a provisional response has arrived.
    /// </summary>
    public SipRequest CreateCancel()
    {
        if (!IsInvite) throw new InvalidOperationException($"only an INVITE can be cancelled, not {Request.Method}");
        return SameTransaction(SipMethods.Cancel, Request.Headers[SipHeaderNames.To]!);
    }

    /// <summary>A request that shares the INVITE's branch and CSeq number: its ACK (non-2xx) or its CANCEL.</summary>
    private SipRequest SameTransaction(string method, string to)
    {
        var request = new SipRequest(method, Request.RequestUri);
        var h = request.Headers;
        h.Add(SipHeaderNames.Via, Request.Headers[SipHeaderNames.Via]!);
        h.Add(SipHeaderNames.MaxForwards, SipBuild.InitialMaxForwards.ToString(System.Globalization.CultureInfo.InvariantCulture));
        h.Add(SipHeaderNames.From, Request.Headers[SipHeaderNames.From]!);
        h.Add(SipHeaderNames.To, to);
        h.Add(SipHeaderNames.CallId, Request.CallId);
        h.Add(SipHeaderNames.CSeq, new SipCSeq(Request.CSeq.Number, method).ToString());
        foreach (var route in Request.Headers.GetAll(SipHeaderNames.Route)) h.Add(SipHeaderNames.Route, route);
        return request;
    }
}
