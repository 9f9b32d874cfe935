namespace Appliance.Sip;

public enum SipClientState { Calling, Trying, Proceeding, Completed, Accepted, Terminated }

/// <summary>
/// A client transaction (RFC 3261 17.1, with RFC 6026's Accepted state): sends the request,
/// retransmits it over UDP (timer A for INVITE, E otherwise), gives up after 64*T1 (B, F) with a local
/// 408, ACKs a non-2xx final response of an INVITE itself and absorbs its retransmissions (D), and
/// absorbs retransmitted finals of a non-INVITE (K). A 2xx to an INVITE, and each retransmission of it,
/// goes to the transaction user, which ACKs it (the ACK of a 2xx is a transaction of its own).
/// </summary>
public sealed partial class SipClientTransaction
{
    private readonly SipStack _stack;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<SipResponse> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SipTimer _retransmit;
    private readonly SipTimer _timeout;
    private readonly SipTimer _linger;
    private readonly byte[] _wire;
    private TimeSpan _interval;
    private byte[]? _ack;

    internal SipClientTransaction(SipStack stack, SipRequest request, SipEndPoint remote, string key)
    {
        _stack = stack;
        Request = request;
        Remote = remote;
        Key = key;
        IsInvite = request.Method == SipMethods.Invite;
        State = IsInvite ? SipClientState.Calling : SipClientState.Trying;
        _wire = request.ToBytes();
        _retransmit = new SipTimer(stack.Time, OnRetransmitTimer);
        _timeout = new SipTimer(stack.Time, OnTimeoutTimer);
        _linger = new SipTimer(stack.Time, Terminate);
    }

    public SipRequest Request { get; }
    public SipEndPoint Remote { get; }
    public bool IsInvite { get; }
    public SipClientState State { get; private set; }
    internal string Key { get; }

    /// <summary>The first final response, or a local one: 408 after timer B/F, 503 when the transport failed.</summary>
    public Task<SipResponse> Final => _final.Task;

    /// <summary>Every response the transaction user must see: provisionals, the final, retransmitted 2xx of an INVITE.</summary>
    public event Action<SipResponse>? ResponseReceived;

    internal void Start()
    {
        lock (_gate)
        {
            _interval = _stack.Timers.T1;
            if (!Remote.Transport.IsReliable) _retransmit.Arm(_interval);
            _timeout.Arm(_stack.Timers.Timeout);
        }
        Send(_wire);
    }

    private void OnRetransmitTimer()
    {
        lock (_gate)
        {
            var resend = State is SipClientState.Calling or SipClientState.Trying || State == SipClientState.Proceeding && !IsInvite;
            if (!resend) return;
            // E in Proceeding fires every T2 (17.1.2.2); A and E in Trying double, E capped at T2.
            _interval = !IsInvite && State == SipClientState.Proceeding ? _stack.Timers.T2 : _stack.Timers.Next(_interval, capped: !IsInvite);
            _retransmit.Arm(_interval);
        }
        Send(_wire);
    }

    private void OnTimeoutTimer()
    {
        lock (_gate)
        {
            // B runs only until the first provisional (a ringing INVITE may ring on); F runs to the final.
            if (!(State == SipClientState.Calling || !IsInvite && State is SipClientState.Trying or SipClientState.Proceeding)) return;
        }
        var timer = IsInvite ? "B" : "F";
        Fail(408, $"Request Timeout (no final response within {_stack.Timers.Timeout.TotalSeconds:0.###} s, timer {timer})");
    }

    /// <summary>
    /// Gives up an INVITE that has had a provisional and no final response (after its CANCEL, RFC
    /// 3261 9.1, whose own wait the caller chose): ends it with a local 408 carrying
    /// <paramref name="reason"/>; a final response arriving later finds no transaction. False when the
    /// INVITE is not in that state any more.
    /// </summary>
    public bool Abandon(string reason)
    {
        lock (_gate)
        {
            // Decided and ended under the gate: a 2xx arriving meanwhile finds it ended, not half-way.
            if (!IsInvite || State != SipClientState.Proceeding) return false;
            State = SipClientState.Terminated;
            _retransmit.Stop();
            _timeout.Stop();
            _linger.Stop();
        }
        CompleteLocally(408, reason);
        _stack.Forget(this);
        return true;
    }

    /// <summary>Ends the transaction with a response made here (timeout, transport failure).</summary>
    internal void Fail(int code, string reason)
    {
        CompleteLocally(code, reason);
        Terminate();
    }

    private void CompleteLocally(int code, string reason)
    {
        var response = SipBuild.Response(Request, code, reason);
        _final.TrySetResult(new SipResponse(code, reason) { IsLocal = true, Headers = response.Headers });
    }

    internal void Terminate()
    {
        lock (_gate)
        {
            State = SipClientState.Terminated;
            _retransmit.Stop();
            _timeout.Stop();
            _linger.Stop();
        }
        _stack.Forget(this);
    }

    private void Send(byte[] wire) => _stack.SendFromTransaction(wire, Remote, this);
}
