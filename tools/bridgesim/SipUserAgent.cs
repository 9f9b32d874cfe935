using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Daemon.Bridges;
using Appliance.Sip;

namespace Appliance.BridgeSim;

/// <summary>
/// The bridge's SIP side (UDP and TCP on --sip ADDR:PORT, TLS on --sip-tls ADDR:PORT): an INVITE whose Request-URI user names a
/// conference this bridge holds is answered 180 then 200 with an SDP answer, and the caller joins
/// the conference (participant.enumerate, device.query) when its ACK arrives; BYE leaves. Unknown
/// conference 404, no room 486, switch refuse 503, switch refuseInvite its code, ringMs before the 200 (a CANCEL meanwhile gets
/// 487 from the stack), hang: no answer after the 100; inviteSilent and sipSilent (SilentTransport.cs): nothing at all. A participant the bridge drops (participant.remove,
/// conference.destroy) gets a BYE.
/// </summary>
internal sealed partial class SipUserAgent : IAsyncDisposable
{
    private readonly SipStack _stack = new();
    private readonly ConferenceBook _book;
    private readonly SimSwitches _switches;
    private readonly ConcurrentDictionary<string, Leg> _legs = new(StringComparer.Ordinal);

    /// <summary>One answered call: its conference, participant name (the Call-ID), dialog and transport.</summary>
    private sealed class Leg(string conference, string participant, SipDialog dialog, SipEndPoint remote)
    {
        public string Conference { get; } = conference;
        public string Participant { get; } = participant;
        public SipDialog Dialog { get; } = dialog;
        public SipEndPoint Remote { get; } = remote;
        public bool Joined { get; set; }
    }

    private SipUserAgent(IPEndPoint local, IPEndPoint? tlsLocal, X509Certificate2? certificate, ConferenceBook book, SimSwitches switches)
    {
        _book = book;
        _switches = switches;
        var udp = SipUdpTransport.Bind(local);
        _stack.AddTransport(new SilentTransport(udp, switches));
        _stack.AddTransport(new SilentTransport(SipTcpTransport.Listen(udp.LocalEndPoint), switches));
        LocalEndPoint = udp.LocalEndPoint;
        if (tlsLocal is not null)
        {
            var tls = SimTlsTransport.Listen(tlsLocal, certificate!);
            _stack.AddTransport(new SilentTransport(tls, switches));
            TlsEndPoint = tls.LocalEndPoint;
        }
        _stack.RequestReceived = HandleAsync;
        _stack.AckReceived += OnAck;
        _book.Dropped += OnDropped;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Where SIP over TLS is taken (--sip-tls), or null.</summary>
    public IPEndPoint? TlsEndPoint { get; }

    /// <summary>
    /// Listens on <paramref name="local"/> (UDP, and TCP on the same port; port 0 picks one), and for
    /// TLS on <paramref name="tlsLocal"/> with <paramref name="certificate"/> when given.
    /// </summary>
    public static SipUserAgent Start(IPEndPoint local, IPEndPoint? tlsLocal, X509Certificate2? certificate, ConferenceBook book, SimSwitches switches) =>
        new(local, tlsLocal, certificate, book, switches);

    private async Task HandleAsync(SipServerTransaction t)
    {
        var r = t.Request;
        if (r.To.Tag is not null)
        {
            await InDialogAsync(t);
            return;
        }
        switch (r.Method)
        {
            case SipMethods.Invite:
                await InviteAsync(t);
                break;
            case SipMethods.Options:
                await t.RespondAsync(200);
                break;
            case SipMethods.Bye:
                await t.RespondAsync(481);
                break;
            default:
                await t.RespondAsync(405);
                break;
        }
    }

    private async Task InviteAsync(SipServerTransaction t)
    {
        if (_switches.Hang) return; // taken, never answered (after the stack's 100 Trying)
        var conference = Uri.UnescapeDataString(t.Request.RequestUri.User ?? "");
        if (_switches.RefuseInvite is > 0 and var code)
        {
            await t.RespondAsync(Refusal(t, code, "the simulator refuses INVITEs: switch refuseInvite"));
            return;
        }
        if (_switches.Refuse)
        {
            await t.RespondAsync(Refusal(t, 503, "the simulator refuses: switch refuse"));
            return;
        }
        try
        {
            _book.CheckRoom(conference);
        }
        catch (SimFault f)
        {
            await t.RespondAsync(Refusal(t, f.Code == BridgeFaults.NoSuchConference ? 404 : 486, f.Message));
            return;
        }
        await t.RespondAsync(WithContact(t.CreateResponse(180), t));
        if (_switches.RingMs > 0)
        {
            try { await Task.Delay(_switches.RingMs, t.Cancelled); }
            catch (OperationCanceledException) { return; } // the stack answered 487
        }
        var ok = WithContact(t.CreateResponse(200), t);
        ok.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        ok.Body = SimSdp.Answer(t.Request.Body, LocalEndPoint.Address);
        var dialog = SipDialog.AsUas(t.Request, ok);
        var leg = new Leg(conference, t.Request.CallId, dialog, t.Remote);
        _legs[dialog.Id] = leg;
        t.AckTimedOut += () => _legs.TryRemove(dialog.Id, out _);
        try
        {
            await t.RespondAsync(ok);
        }
        catch (InvalidOperationException)
        {
            _legs.TryRemove(dialog.Id, out _); // cancelled at the last moment: 487 went instead
        }
    }

    private static SipResponse Refusal(SipServerTransaction t, int code, string why)
    {
        var response = t.CreateResponse(code);
        response.Headers.Add(SipHeaderNames.Reason, $"SIP;cause={code};text=\"{why.Replace("\"", "'", StringComparison.Ordinal)}\"");
        return response;
    }

    private static SipResponse WithContact(SipResponse response, SipServerTransaction t)
    {
        response.Headers.Add(SipHeaderNames.Contact, new SipNameAddress(SipTarget.Contact("bridge", t.Remote.Transport)).ToString());
        return response;
    }

    public async ValueTask DisposeAsync()
    {
        _book.Dropped -= OnDropped;
        await _stack.DisposeAsync();
    }
}
