using System.Globalization;

namespace Appliance.Sip;

public enum SipDialogState { Early, Confirmed, Terminated }

/// <summary>
/// A dialog (RFC 3261 12): Call-ID, local and remote tags, sequence numbers, the remote target and
/// the route set, made from an INVITE and a response with a To tag. Builds in-dialog requests
/// (12.2.1.1, loose and strict routing) and checks the order of the peer's requests (12.2.2).
/// </summary>
public sealed class SipDialog
{
    private SipDialog(string callId, string localTag, string remoteTag, SipNameAddress local, SipNameAddress remote,
        SipUri remoteTarget, IReadOnlyList<SipNameAddress> routeSet, int localSequence, int? remoteSequence, bool early)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        LocalParty = local;
        RemoteParty = remote;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        LocalSequence = localSequence;
        RemoteSequence = remoteSequence;
        State = early ? SipDialogState.Early : SipDialogState.Confirmed;
    }

    public string CallId { get; }
    public string LocalTag { get; }
    public string RemoteTag { get; }
    public SipNameAddress LocalParty { get; }
    public SipNameAddress RemoteParty { get; }
    public SipUri RemoteTarget { get; private set; }
    /// <summary>In the order requests must carry them as Route.</summary>
    public IReadOnlyList<SipNameAddress> RouteSet { get; private set; }
    public int LocalSequence { get; private set; }
    public int? RemoteSequence { get; private set; }
    public SipDialogState State { get; private set; }

    /// <summary>Call-ID, local tag, remote tag: how this side finds the dialog of a message.</summary>
    public string Id => DialogId(CallId, LocalTag, RemoteTag);

    public static string DialogId(string callId, string localTag, string remoteTag) => $"{callId}|{localTag}|{remoteTag}";

    /// <summary>The id of the dialog a received request belongs to (its To tag is ours).</summary>
    public static string IdOfReceived(SipRequest request) => DialogId(request.CallId, request.To.Tag ?? "", request.From.Tag ?? "");

    /// <summary>
    /// The UAS side (12.1.1): from the received INVITE and our 1xx or 2xx with a To tag. The route set is
    /// the request's Record-Route in order; the remote target its Contact.
    /// </summary>
    public static SipDialog AsUas(SipRequest request, SipResponse response)
    {
        var to = response.To;
        if (to.Tag is null) throw new ArgumentException("the response that makes a dialog needs a To tag", nameof(response));
        var from = request.From;
        return new SipDialog(request.CallId, to.Tag, from.Tag ?? "", to, from, Target(request),
            request.RecordRoutes, 0, request.CSeq.Number, response.IsProvisional);
    }

    /// <summary>The UAC side (12.1.2): from our INVITE and the received response; the route set is its Record-Route reversed.</summary>
    public static SipDialog AsUac(SipRequest request, SipResponse response)
    {
        var to = response.To;
        if (to.Tag is null) throw new ArgumentException("the response that makes a dialog needs a To tag", nameof(response));
        var from = request.From;
        return new SipDialog(request.CallId, from.Tag ?? "", to.Tag, from, to, Target(response),
            response.RecordRoutes.Reverse().ToList(), request.CSeq.Number, null, response.IsProvisional);
    }

    /// <summary>A later response of the INVITE on the UAC side: a 2xx confirms the dialog and sets its route set and target anew (12.1.2).</summary>
    public void Update(SipResponse response)
    {
        if (response.Contacts.Count > 0) RemoteTarget = response.Contacts[0].Uri;
        if (State == SipDialogState.Early && response.IsSuccess)
        {
            RouteSet = response.RecordRoutes.Reverse().ToList();
            State = SipDialogState.Confirmed;
        }
    }

    public void Terminate() => State = SipDialogState.Terminated;

    private static SipUri Target(SipMessage message) =>
        message.Contacts.Count > 0 ? message.Contacts[0].Uri : throw new SipParseException($"the {(message is SipRequest r ? r.Method : "response")} that makes a dialog has no Contact");

    /// <summary>
    /// A request in this dialog (12.2.1.1): To/From with the tags, the next local CSeq (an ACK or a
    /// CANCEL passes the number of the INVITE they belong to), Request-URI and Route by the route set.
    /// </summary>
    public SipRequest CreateRequest(string method, int? cseq = null, SipNameAddress? contact = null)
    {
        if (State == SipDialogState.Terminated) throw new InvalidOperationException($"dialog {Id} is terminated");
        var number = cseq ?? ++LocalSequence;
        var (uri, routes) = Routing();
        var request = new SipRequest(method, uri);
        var h = request.Headers;
        h.Add(SipHeaderNames.MaxForwards, SipBuild.InitialMaxForwards.ToString(CultureInfo.InvariantCulture));
        var from = LocalParty.Clone();
        from.Tag = LocalTag;
        var to = RemoteParty.Clone();
        to.Tag = RemoteTag;
        h.Add(SipHeaderNames.From, from.ToString());
        h.Add(SipHeaderNames.To, to.ToString());
        h.Add(SipHeaderNames.CallId, CallId);
        h.Add(SipHeaderNames.CSeq, new SipCSeq(number, method).ToString());
        foreach (var r in routes) h.Add(SipHeaderNames.Route, r);
        if (contact is not null) h.Add(SipHeaderNames.Contact, contact.ToString());
        return request;
    }

    /// <summary>Loose routing: Request-URI the remote target, Route the route set. Strict (first route without ;lr): the first route is the Request-URI and the target goes last.</summary>
    private (SipUri Uri, List<string> Routes) Routing()
    {
        if (RouteSet.Count == 0) return (RemoteTarget.Clone(), []);
        if (RouteSet[0].Uri.LooseRouting) return (RemoteTarget.Clone(), RouteSet.Select(r => r.ToString()).ToList());
        var uri = RouteSet[0].Uri.Clone();
        uri.Parameters.Remove("lr");
        var routes = RouteSet.Skip(1).Select(r => r.ToString()).ToList();
        routes.Add(new SipNameAddress(RemoteTarget.Clone()).ToString());
        return (uri, routes);
    }

    /// <summary>
    /// Checks a request the peer sent in this dialog (12.2.2): a CSeq lower than the last one is out of
    /// order (answer 500); an ACK or CANCEL reuses its INVITE's number. A target refresh (re-INVITE,
    /// UPDATE) with a Contact moves the remote target.
    /// </summary>
    public bool AcceptRemote(SipRequest request)
    {
        var number = request.CSeq.Number;
        if (request.Method is not (SipMethods.Ack or SipMethods.Cancel))
        {
            if (RemoteSequence is { } last && number <= last) return false;
            RemoteSequence = number;
        }
        if (request.Method is SipMethods.Invite or SipMethods.Update && request.Contacts.Count > 0) RemoteTarget = request.Contacts[0].Uri;
        if (request.Method == SipMethods.Bye) State = SipDialogState.Terminated;
        return true;
    }
}
