using System.Net;
using Appliance.Sip;

namespace Appliance.BridgeSim;

/// <summary>
/// One of the user agent's transports, able to play deaf below the SIP stack: while sipSilent is on
/// nothing it receives reaches the stack, and while inviteSilent is on no INVITE does. The stack
/// then sends nothing either (not even the 100 Trying it gives every INVITE at once), so the sender's
/// timer B or F runs out, as with a bridge whose SIP side hung.
/// </summary>
internal sealed class SilentTransport(ISipTransport inner, SimSwitches switches) : ISipTransport
{
    public string Protocol => inner.Protocol;
    public bool IsReliable => inner.IsReliable;
    public IPEndPoint LocalEndPoint => inner.LocalEndPoint;

    public void Start(SipReceiveHandler received, Action<string> problem) =>
        inner.Start((_, message, remote) =>
        {
            if (switches.SipSilent || (switches.InviteSilent && message.Span.StartsWith("INVITE "u8))) return;
            received(this, message, remote);
        }, problem);

    public ValueTask SendAsync(ReadOnlyMemory<byte> message, IPEndPoint remote, CancellationToken ct) => inner.SendAsync(message, remote, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
