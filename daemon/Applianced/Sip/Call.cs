using Appliance.Daemon.Conferencing;
using Appliance.Sip;

namespace Appliance.Daemon.Sip;

public enum CallState { Placing, Ringing, Connected, Ending }

/// <summary>
/// One call through this peer: leg A (the call processor to this peer, which is its UAS) and leg B
/// (this peer to the bridge, its UAC), each its own dialog. In memory only (CONFERENCING.md, "What
/// the peer keeps"). Fields change under <see cref="Gate"/>.
/// </summary>
internal sealed class Call(SipServerTransaction invite, string alias, DateTimeOffset started)
{
    public Lock Gate { get; } = new();
    public SipServerTransaction Invite { get; } = invite;
    public string Id => Invite.Request.CallId;
    public string Alias { get; } = alias;
    public DateTimeOffset Started { get; } = started;
    public CallState State { get; set; } = CallState.Placing;
    public string? Conference { get; set; }
    public string? Bridge { get; set; }

    /// <summary>The decision leg B follows now, and what the call's placement learnt on its way (failed bridges, a conference gone).</summary>
    public PlacementDecision? Placed { get; set; }
    public CallPlacement Placement { get; } = new();

    /// <summary>Leg B's INVITEs sent so far: a call is placed again in its INVITE a bounded number of times.</summary>
    public int LegBAttempts { get; set; }

    /// <summary>Whether the call counts as a participant of its conference in this peer's record.</summary>
    public bool Counted { get; set; }

    public SipClientTransaction? InviteB { get; set; }
    /// <summary>The leg B INVITE whose answer is bounded already (after its first provisional: B2bua.LegB.cs).</summary>
    public SipClientTransaction? Bounded { get; set; }
    /// <summary>The leg B INVITE the bound cancelled, and why: its 487 ends the call for that reason.</summary>
    public (SipClientTransaction Invite, string Why)? GaveUp { get; set; }
    public SipEndPoint RemoteB { get; set; }
    public SipDialog? A { get; set; }
    public SipDialog? B { get; set; }
    /// <summary>This peer's Contact on each leg: in-dialog requests come back here.</summary>
    public SipNameAddress? ContactA { get; set; }
    public SipNameAddress? ContactB { get; set; }

    /// <summary>The caller cancelled; leg B is cancelled once it has a provisional (RFC 3261 9.1).</summary>
    public bool CancelWanted { get; set; }
    public bool CancelSent { get; set; }

    /// <summary>The ACK of leg B's 2xx, kept to answer its retransmissions.</summary>
    public SipRequest? AckB { get; set; }

    /// <summary>
    /// An ACK that waits for the other leg's ACK to carry its SDP (a late offer: an INVITE without a
    /// body, answered in the ACK). FromA: the ACK awaited comes on leg A.
    /// </summary>
    public (SipRequest Ack, SipEndPoint To, bool FromA)? PendingAck { get; set; }

    /// <summary>A re-INVITE is being relayed: a second one gets 491 (one offer/answer at a time).</summary>
    public bool Offering { get; set; }

    /// <summary>
    /// The last SDP each side sent (offer or answer) as this peer relayed it: a call moved to another
    /// bridge (a split, CONFERENCING.md) offers the caller's there and tells the caller the new
    /// bridge's when it differs from the one it has.
    /// </summary>
    public byte[] CallerSdp { get; private set; } = invite.Request.Body;
    public byte[] BridgeSdp { get; private set; } = [];

    /// <summary>Keeps a body one side sent (an empty one changes nothing). Under <see cref="Gate"/>.</summary>
    public void Sdp(bool fromCaller, byte[] body)
    {
        if (body.Length == 0) return;
        if (fromCaller) CallerSdp = body;
        else BridgeSdp = body;
    }

    public SipEndPoint TargetA => SipTarget.Resolve(A!.RemoteTarget, Invite.Remote);
    public SipEndPoint TargetB => SipTarget.Resolve(B!.RemoteTarget, RemoteB);
}
