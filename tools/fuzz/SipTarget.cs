using Appliance.Sip;

namespace Appliance.Fuzz;

/// <summary>
/// The SIP parser as the transports feed it: byte 0 even parses the rest as one datagram, odd cuts
/// it into messages with the stream framer first (as a TCP connection would) and parses each. A
/// message the parser accepts must survive writing and reading again with the same start line,
/// headers and body, and every typed header must be readable.
/// </summary>
internal sealed class SipTarget : FuzzTarget
{
    private static readonly SipLimits Limits = new() { MaxMessageBytes = 16 * 1024, MaxHeaders = 64, MaxLineBytes = 2048 };

    public override string Name => "sip";

    public override string Description => "SipParser.Parse of a datagram, or SipFraming.TryFrame + Parse per message (byte 0 odd); refusal: SipParseException";

    public override string? Run(byte[] input)
    {
        var (mode, body) = Split(input);
        try
        {
            if (mode % 2 == 0)
            {
                if (!SipParser.IsKeepAlive(body)) Check(SipParser.Parse(body, Limits), fromStream: false);
                return null;
            }
            ReadOnlySpan<byte> rest = body;
            while (SipFraming.TryFrame(rest, Limits, out var skip, out var length))
            {
                rest = rest[skip..];
                if (length == 0) break;
                Check(SipParser.Parse(rest[..length], Limits, fromStream: true), fromStream: true);
                rest = rest[length..];
            }
            return null;
        }
        catch (SipParseException e)
        {
            return e.Message;
        }
    }

    private static void Check(SipMessage message, bool fromStream)
    {
        _ = (message.CallId, message.CSeq, message.From.Tag, message.To.Tag, message.TopVia.Branch, message.Contacts, message.Routes);
        SipMessage again;
        try
        {
            // Written out, a folded header is one longer line: the limits do not apply to the copy.
            again = SipParser.Parse(message.ToBytes(), new SipLimits { MaxMessageBytes = int.MaxValue, MaxHeaders = int.MaxValue, MaxLineBytes = int.MaxValue }, fromStream);
        }
        catch (SipParseException e)
        {
            throw new InvariantException($"an accepted message does not parse once written out: {e.Message}");
        }
        if (again.StartLine != message.StartLine)
            throw new InvariantException($"start line changed on a round trip: '{message.StartLine}' became '{again.StartLine}'");
        if (!again.Body.AsSpan().SequenceEqual(message.Body))
            throw new InvariantException("body changed on a round trip");
        var before = message.Headers.Lines.Where(h => h.Name != SipHeaderNames.ContentLength).ToList();
        var after = again.Headers.Lines.Where(h => h.Name != SipHeaderNames.ContentLength).ToList();
        if (!before.SequenceEqual(after))
            throw new InvariantException($"headers changed on a round trip: {before.Count} lines became {after.Count}");
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        var invite = SipBuild.Request(SipMethods.Invite, SipUri.Parse("sip:meet-1234@198.18.1.11"),
            SipNameAddress.Parse("\"Alice\" <sip:alice@198.18.9.1>"), SipNameAddress.Parse("<sip:meet-1234@198.18.1.11>"), "a84b4c76e66710@pc33", 314159,
            SipNameAddress.Parse("<sip:alice@198.18.9.1:5060;transport=tcp>"));
        invite.Headers.Prepend(SipHeaderNames.Via, "SIP/2.0/UDP 198.18.9.1:5060;branch=z9hG4bK776asdhds;rport");
        invite.Headers.Add(SipHeaderNames.RecordRoute, "<sip:198.18.0.1;lr>, <sip:198.18.0.2;lr>");
        invite.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        invite.Body = FuzzInput.Utf8("v=0\r\no=- 1 1 IN IP4 198.18.9.1\r\ns=-\r\nc=IN IP4 198.18.9.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
        var ok = SipBuild.Response(invite, 200, toTag: "as83kd9bs");
        yield return ("invite", FuzzInput.WithMode(0, invite.ToBytes()));
        yield return ("response", FuzzInput.WithMode(0, ok.ToBytes()));
        yield return ("compact", FuzzInput.WithMode(0, FuzzInput.Utf8(
            "OPTIONS sip:p1@198.18.1.11 SIP/2.0\r\nv: SIP/2.0/TCP 198.18.0.5;branch=z9hG4bKkdjuw\r\nf: <sip:k@198.18.0.5>;tag=1\r\n" +
            "t: sip:p1@198.18.1.11\r\ni: 1@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nk: path\r\nl: 0\r\n\r\n")));
        yield return ("stream", FuzzInput.WithMode(1, [.. invite.ToBytes(), .. "\r\n\r\n"u8, .. ok.ToBytes()]));
    }

    public override IEnumerable<string> Tokens =>
        ["SIP/2.0", "INVITE", "ACK", "Via: ", "SIP/2.0/UDP ", "branch=z9hG4bK", ";tag=", "Content-Length: ", "l: ", "CSeq: ", "Call-ID: ",
            "From: ", "To: ", "Contact: ", "Record-Route: ", "<sip:", ">", ";lr", "\r\n", "\r\n\r\n", " ", "\"", ",", "sips:", "[::1]"];
}
