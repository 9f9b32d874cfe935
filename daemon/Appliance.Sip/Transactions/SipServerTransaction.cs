namespace Appliance.Sip;

public enum SipServerState { Trying, Proceeding, Completed, Confirmed, Accepted, Terminated }

/// <summary>
/// A server transaction (RFC 3261 17.2, with RFC 6026's Accepted state). The transaction user
/// answers with <see cref="RespondAsync"/>; the transaction resends the last response when the
/// request is retransmitted (the user sees the request once), retransmits a final non-2xx of an
/// INVITE over UDP until the ACK (G) or 64*T1 (H), absorbs the ACK (I), and keeps a non-INVITE's final
/// for retransmissions (J). A 2xx to an INVITE is retransmitted until its ACK arrives or 64*T1 pass
/// (the UAS core's duty in 13.3.1.4, kept here so every user gets it).
/// </summary>
public sealed partial class SipServerTransaction
{
    private readonly SipStack _stack;
    private readonly Lock _gate = new();
    private readonly SipTimer _retransmit;
    private readonly SipTimer _timeout;
    private readonly SipTimer _linger;
    private readonly CancellationTokenSource _cancelled = new();
    private byte[]? _last;
    private TimeSpan _interval;

    internal SipServerTransaction(SipStack stack, SipRequest request, SipEndPoint remote, string key)
    {
        _stack = stack;
        Request = request;
        Remote = remote;
        Key = key;
        IsInvite = request.Method == SipMethods.Invite;
        State = IsInvite ? SipServerState.Proceeding : SipServerState.Trying;
        _retransmit = new SipTimer(stack.Time, OnRetransmitTimer);
        _timeout = new SipTimer(stack.Time, OnTimeoutTimer);
        _linger = new SipTimer(stack.Time, Terminate);
    }

    public SipRequest Request { get; }
    /// <summary>Where responses go: the connection the request came on, or (UDP) its source address and Via port (18.2.2).</summary>
    public SipEndPoint Remote { get; }
    public bool IsInvite { get; }
    public SipServerState State { get; private set; }
    internal string Key { get; }

    /// <summary>The To tag this side puts in its responses (one per transaction, so all its responses agree).</summary>
    public string LocalTag { get; } = SipIds.NewTag();

    /// <summary>Signalled when a CANCEL for this INVITE arrived; the stack has answered it, and the INVITE with 487.</summary>
    public CancellationToken Cancelled => _cancelled.Token;

    /// <summary>Raised when a 2xx was not ACKed within 64*T1: the caller is gone, the user should end the dialog (13.3.1.4).</summary>
    public event Action? AckTimedOut;

    /// <summary>A response to this request with the usual headers copied and <see cref="LocalTag"/> in To.</summary>
    public SipResponse CreateResponse(int statusCode, string? reason = null) => SipBuild.Response(Request, statusCode, reason, LocalTag);

    public bool HasFinalResponse
    {
        get { lock (_gate) return State is not (SipServerState.Trying or SipServerState.Proceeding); }
    }

    /// <summary>
    /// Sends a response. Provisionals may repeat; the first final one moves the transaction on and
    /// later ones are refused with <see cref="InvalidOperationException"/>.
    /// </summary>
    public Task RespondAsync(SipResponse response)
    {
        var wire = response.ToBytes();
        var reliable = Remote.Transport.IsReliable;
        lock (_gate)
        {
            if (State is not (SipServerState.Trying or SipServerState.Proceeding))
                throw new InvalidOperationException($"{Request.Method} {Request.CallId} was already answered with a final response ({State})");
            _last = wire;
            if (response.IsProvisional) State = SipServerState.Proceeding;
            else if (IsInvite && response.IsSuccess)
            {
                State = SipServerState.Accepted;
                _stack.Accepted(this, true);
                _interval = _stack.Timers.T1;
                if (!reliable) _retransmit.Arm(_interval);
                _timeout.Arm(_stack.Timers.Timeout); // timer L: the ACK must come within 64*T1
            }
            else if (IsInvite)
            {
                State = SipServerState.Completed;
                _interval = _stack.Timers.T1;
                if (!reliable) _retransmit.Arm(_interval); // G
                _timeout.Arm(_stack.Timers.Timeout); // H
            }
            else
            {
                State = SipServerState.Completed;
                if (reliable) State = SipServerState.Terminated;
                else _linger.Arm(_stack.Timers.J);
            }
        }
        var sent = _stack.SendAsync(wire, Remote);
        if (State == SipServerState.Terminated) Terminate();
        return sent;
    }

    /// <summary>A response made with <see cref="CreateResponse"/> and sent.</summary>
    public Task RespondAsync(int statusCode, string? reason = null) => RespondAsync(CreateResponse(statusCode, reason));
}
