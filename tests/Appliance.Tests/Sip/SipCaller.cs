using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Appliance.Sip;

namespace Appliance.Tests.Sip;

/// <summary>
/// An endpoint built on the library's stack, on its own loopback address (UDP and TCP, and TLS when
/// given a transport for it): places calls
/// (<see cref="Invite"/>), ACKs their 2xx, and answers the BYE a far end sends with 200.
/// </summary>
internal sealed class SipCaller : IAsyncDisposable
{
    public const string Offer = "v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\nm=video 49172 RTP/AVP 96\r\n";

    private readonly SipStack _stack = new(new SipTimers(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5)));
    private readonly ConcurrentDictionary<string, SipCall> _dialogs = new(StringComparer.Ordinal);

    public SipCaller(string address = "127.0.0.1", ISipTransport? tls = null)
    {
        Udp = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        Tcp = SipTcpTransport.Listen(new IPEndPoint(IPAddress.Parse(address), 0));
        Tls = tls;
        _stack.AddTransport(Udp);
        _stack.AddTransport(Tcp);
        if (tls is not null) _stack.AddTransport(tls);
        _stack.RequestReceived = OnRequestAsync;
    }

    public ISipTransport Udp { get; }
    public ISipTransport Tcp { get; }
    public ISipTransport? Tls { get; }
    public SipStack Stack => _stack;

    /// <summary>INVITE sip:USER@TO with an SDP offer (none when <paramref name="sdp"/> is empty).</summary>
    public SipCall Invite(IPEndPoint to, string user, string protocol = "UDP", string sdp = Offer)
    {
        var transport = protocol switch { "UDP" => Udp, "TLS" => Tls ?? throw new InvalidOperationException("this caller has no TLS transport"), _ => Tcp };
        var target = new SipUri(to.Address.ToString(), to.Port, user);
        if (protocol != "UDP") target.Parameters["transport"] = protocol.ToLowerInvariant();
        var local = transport.LocalEndPoint;
        var request = SipBuild.Request(SipMethods.Invite, target, SipNameAddress.Parse($"\"Test Caller\" <sip:caller@{local.Address}>"),
            new SipNameAddress(target.Clone()), SipIds.NewCallId(local.Address.ToString()), 1, new SipNameAddress(SipTarget.Contact("caller", transport)));
        if (sdp.Length > 0)
        {
            request.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            request.Body = Encoding.UTF8.GetBytes(sdp);
        }
        return new SipCall(this, _stack.SendRequest(request, transport, to), new SipEndPoint(transport, to));
    }

    internal void Track(SipCall call) => _dialogs[call.Dialog!.Id] = call;

    private async Task OnRequestAsync(SipServerTransaction t)
    {
        if (!_dialogs.TryGetValue(SipDialog.IdOfReceived(t.Request), out var call))
        {
            await t.RespondAsync(481);
            return;
        }
        call.Dialog!.AcceptRemote(t.Request);
        await t.RespondAsync(200);
        if (t.Request.Method == SipMethods.Bye) call.HungUpByFarEnd.TrySetResult();
    }

    public ValueTask DisposeAsync() => _stack.DisposeAsync();
}

/// <summary>One call of a <see cref="SipCaller"/>: the INVITE's responses, then the dialog.</summary>
internal sealed class SipCall
{
    private readonly SipCaller _caller;

    public SipCall(SipCaller caller, SipClientTransaction invite, SipEndPoint remote)
    {
        _caller = caller;
        Invite = invite;
        Remote = remote;
        _ = invite.Final.ContinueWith(t =>
        {
            if (t.Result.IsSuccess) _ = AckAsync(t.Result);
        }, TaskScheduler.Default);
        invite.ResponseReceived += r =>
        {
            lock (Responses) Responses.Add(r);
            if (r.IsProvisional && r.StatusCode > 100) Ringing.TrySetResult(r);
            // Each 2xx (and its retransmissions) gets an ACK: the far end retransmits until it does.
            if (r.IsSuccess) _ = AckAsync(r);
        };
    }

    public SipClientTransaction Invite { get; }
    public SipEndPoint Remote { get; }
    public List<SipResponse> Responses { get; } = [];
    public SipDialog? Dialog { get; private set; }
    public TaskCompletionSource<SipResponse> Ringing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource HungUpByFarEnd { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<SipResponse> Final => SipTestKit.Within(Invite.Final, $"the final response to INVITE {Invite.Request.RequestUri}");

    private async Task AckAsync(SipResponse ok)
    {
        lock (this)
        {
            if (Dialog is null)
            {
                Dialog = SipDialog.AsUac(Invite.Request, ok);
                _caller.Track(this);
            }
        }
        var ack = Dialog.CreateRequest(SipMethods.Ack, Invite.Request.CSeq.Number);
        var to = SipTarget.Resolve(Dialog.RemoteTarget, Remote);
        await _caller.Stack.SendAckAsync(ack, to.Transport, to.Remote);
    }

    /// <summary>A request in the dialog (BYE, re-INVITE with an offer) and its final response.</summary>
    public Task<SipResponse> SendAsync(string method, string? sdp = null)
    {
        var request = Dialog!.CreateRequest(method, contact: new SipNameAddress(SipTarget.Contact("caller", Remote.Transport)));
        if (sdp is not null)
        {
            request.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
            request.Body = Encoding.UTF8.GetBytes(sdp);
        }
        var to = SipTarget.Resolve(Dialog.RemoteTarget, Remote);
        var t = _caller.Stack.SendRequest(request, to.Transport, to.Remote);
        if (method == SipMethods.Invite)
            t.ResponseReceived += r =>
            {
                if (!r.IsSuccess) return;
                var ack = Dialog.CreateRequest(SipMethods.Ack, request.CSeq.Number);
                _ = _caller.Stack.SendAckAsync(ack, to.Transport, to.Remote);
            };
        return SipTestKit.Within(t.Final, $"the final response to {method} in {Dialog.Id}");
    }

    /// <summary>CANCEL of the INVITE (send it after a provisional); its own final response.</summary>
    public Task<SipResponse> CancelAsync() =>
        SipTestKit.Within(_caller.Stack.SendRequest(Invite.CreateCancel(), Remote.Transport, Remote.Remote).Final, "the final response to CANCEL");

    public string Body(SipResponse r) => Encoding.UTF8.GetString(r.Body);
}
