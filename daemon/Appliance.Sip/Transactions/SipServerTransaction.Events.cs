namespace Appliance.Sip;

public sealed partial class SipServerTransaction
{
    /// <summary>The request again: resend the last response, the user does not see it twice.</summary>
    internal void OnRetransmission()
    {
        byte[]? resend;
        lock (_gate)
        {
            resend = State is SipServerState.Proceeding or SipServerState.Completed ? _last : null;
        }
        if (resend is not null) _ = _stack.SendAsync(resend, Remote);
    }

    /// <summary>The ACK of a non-2xx final (same transaction): stop G and H, absorb further ACKs for T4 (I).</summary>
    internal void OnAck()
    {
        lock (_gate)
        {
            if (State != SipServerState.Completed) return;
            _retransmit.Stop();
            _timeout.Stop();
            // Timer I is armed before the state says Confirmed: whoever reads the state without the
            // lock (a test about to advance its clock) then never sees Confirmed without timer I.
            if (!Remote.Transport.IsReliable) _linger.Arm(_stack.Timers.I);
            State = SipServerState.Confirmed;
            if (!Remote.Transport.IsReliable) return;
        }
        Terminate();
    }

    /// <summary>The ACK of our 2xx (its own transaction, matched by the stack): stop retransmitting the 2xx.</summary>
    internal void On2xxAck()
    {
        lock (_gate)
        {
            if (State != SipServerState.Accepted) return;
            _retransmit.Stop();
            _timeout.Stop();
            // Still absorbs retransmitted INVITEs until timer L would have fired.
            _linger.Arm(_stack.Timers.Timeout);
        }
        _stack.Accepted(this, false);
    }

    /// <summary>A matching CANCEL arrived (9.2): the stack answered it 200; an unanswered INVITE gets 487.</summary>
    internal async Task OnCancelAsync()
    {
        if (!HasFinalResponse)
        {
            try { await RespondAsync(487).ConfigureAwait(false); }
            catch (InvalidOperationException) { } // the user answered meanwhile
        }
        await _cancelled.CancelAsync().ConfigureAwait(false);
    }

    private void OnRetransmitTimer()
    {
        byte[]? resend;
        lock (_gate)
        {
            if (State is not (SipServerState.Completed or SipServerState.Accepted)) return;
            _interval = _stack.Timers.Next(_interval, capped: true);
            _retransmit.Arm(_interval);
            resend = _last;
        }
        if (resend is not null) _ = _stack.SendAsync(resend, Remote);
    }

    private void OnTimeoutTimer()
    {
        bool ackMissing;
        lock (_gate)
        {
            if (State is not (SipServerState.Completed or SipServerState.Accepted)) return;
            ackMissing = State == SipServerState.Accepted;
        }
        Terminate();
        if (ackMissing) AckTimedOut?.Invoke();
    }

    internal void Terminate()
    {
        lock (_gate)
        {
            State = SipServerState.Terminated;
            _retransmit.Stop();
            _timeout.Stop();
            _linger.Stop();
        }
        _stack.Accepted(this, false);
        _stack.Forget(this);
    }
}
