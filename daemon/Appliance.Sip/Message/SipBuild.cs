using System.Globalization;

namespace Appliance.Sip;

/// <summary>New requests and the responses to received ones, with the headers RFC 3261 requires (8.1.1, 8.2.6).</summary>
public static class SipBuild
{
    /// <summary>Max-Forwards of a request this stack starts (8.1.1.6).</summary>
    public const int InitialMaxForwards = 70;

    /// <summary>
    /// A request outside any dialog: Request-URI, To, From (its tag is added when missing), Call-ID,
    /// CSeq and Max-Forwards. The stack adds the Via when it sends it.
    /// </summary>
    public static SipRequest Request(string method, SipUri requestUri, SipNameAddress from, SipNameAddress to, string callId, int cseq,
        SipNameAddress? contact = null)
    {
        var request = new SipRequest(method, requestUri);
        var ownFrom = from.Clone();
        ownFrom.Tag ??= SipIds.NewTag();
        var h = request.Headers;
        h.Add(SipHeaderNames.MaxForwards, InitialMaxForwards.ToString(CultureInfo.InvariantCulture));
        h.Add(SipHeaderNames.From, ownFrom.ToString());
        h.Add(SipHeaderNames.To, to.ToString());
        h.Add(SipHeaderNames.CallId, callId);
        h.Add(SipHeaderNames.CSeq, new SipCSeq(cseq, method).ToString());
        if (contact is not null) h.Add(SipHeaderNames.Contact, contact.ToString());
        return request;
    }

    /// <summary>
    /// The response to <paramref name="request"/>: its Via lines, From, Call-ID and CSeq copied, and its
    /// To with <paramref name="toTag"/> added unless the request's To had a tag already (a 100 gets none).
    /// A response that can make a dialog (INVITE, 101-299) copies the Record-Route too (12.1.1).
    /// </summary>
    public static SipResponse Response(SipRequest request, int statusCode, string? reason = null, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reason ?? SipStatus.Reason(statusCode));
        var h = response.Headers;
        foreach (var via in request.Headers.GetAll(SipHeaderNames.Via)) h.Add(SipHeaderNames.Via, via);
        h.Add(SipHeaderNames.From, request.Headers[SipHeaderNames.From]!);
        var to = request.To;
        if (to.Tag is null && statusCode > 100 && toTag is not null)
        {
            to.Tag = toTag;
            h.Add(SipHeaderNames.To, to.ToString());
        }
        else
            h.Add(SipHeaderNames.To, request.Headers[SipHeaderNames.To]!);
        h.Add(SipHeaderNames.CallId, request.CallId);
        h.Add(SipHeaderNames.CSeq, request.Headers[SipHeaderNames.CSeq]!);
        if (request.Method == SipMethods.Invite && statusCode is > 100 and < 300)
            foreach (var rr in request.Headers.GetAll(SipHeaderNames.RecordRoute)) h.Add(SipHeaderNames.RecordRoute, rr);
        return response;
    }
}
