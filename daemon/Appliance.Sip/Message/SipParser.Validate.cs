using System.Globalization;

namespace Appliance.Sip;

public static partial class SipParser
{
    /// <summary>
    /// The headers every message needs to be matched to a transaction and answered (8.1.1, 8.2.6):
    /// a parseable Via, From, To, Call-ID and CSeq, and a CSeq whose method is the request's own.
    /// Checked here so that the typed accessors never fail on an accepted message.
    /// </summary>
    private static void Validate(SipMessage message)
    {
        foreach (var name in new[] { SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq })
            if (!message.Headers.Contains(name)) throw new SipParseException($"the mandatory {name} header is missing");
        foreach (var name in new[] { SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards })
            if (message.Headers.GetAll(name).Count > 1) throw new SipParseException($"the {name} header is given more than once");
        if (message.CallId.Length == 0) throw new SipParseException("Call-ID is empty");
        _ = message.Vias;
        _ = message.From;
        _ = message.To;
        _ = message.Contacts;
        _ = message.Routes;
        _ = message.RecordRoutes;
        var cseq = message.CSeq;
        if (message is SipRequest request && cseq.Method != request.Method)
            throw new SipParseException($"CSeq method {cseq.Method} is not the request's method {request.Method}");
        if (message.Headers[SipHeaderNames.MaxForwards] is { } hops
            && (!int.TryParse(hops, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 255))
            throw new SipParseException($"Max-Forwards '{SipText.Excerpt(hops)}' is not a number 0-255");
    }
}
