using System.Globalization;
using System.Text;

namespace Appliance.Sip;

/// <summary>
/// A request or a response: headers and a body. The typed accessors parse on each read, so a header
/// changed through <see cref="Headers"/> is seen at once; the parser has checked the mandatory ones.
/// </summary>
public abstract class SipMessage
{
    public SipHeaders Headers { get; init; } = new();
    public byte[] Body { get; set; } = [];

    public string CallId => Headers[SipHeaderNames.CallId] ?? throw new SipParseException("no Call-ID header");
    public SipCSeq CSeq => SipCSeq.Parse(Headers[SipHeaderNames.CSeq] ?? throw new SipParseException("no CSeq header"));
    public SipNameAddress From => SipNameAddress.Parse(Headers[SipHeaderNames.From] ?? throw new SipParseException("no From header"));
    public SipNameAddress To => SipNameAddress.Parse(Headers[SipHeaderNames.To] ?? throw new SipParseException("no To header"));
    public SipVia TopVia => SipVia.Parse(Headers[SipHeaderNames.Via] ?? throw new SipParseException("no Via header"));
    public IReadOnlyList<SipVia> Vias => Headers.GetAll(SipHeaderNames.Via).Select(SipVia.Parse).ToList();
    public IReadOnlyList<SipNameAddress> Contacts => Headers.GetAll(SipHeaderNames.Contact).Where(c => c != "*").Select(SipNameAddress.Parse).ToList();
    public IReadOnlyList<SipNameAddress> RecordRoutes => Headers.GetAll(SipHeaderNames.RecordRoute).Select(SipNameAddress.Parse).ToList();
    public IReadOnlyList<SipNameAddress> Routes => Headers.GetAll(SipHeaderNames.Route).Select(SipNameAddress.Parse).ToList();

    /// <summary>The first line: "INVITE sip:x SIP/2.0" or "SIP/2.0 200 OK".</summary>
    public abstract string StartLine { get; }

    /// <summary>The wire form; Content-Length is always written from the body.</summary>
    public byte[] ToBytes()
    {
        var sb = new StringBuilder(256 + Body.Length);
        sb.Append(StartLine).Append("\r\n");
        foreach (var h in Headers.Lines)
        {
            if (string.Equals(h.Name, SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)) continue;
            sb.Append(h.Name).Append(": ").Append(h.Value).Append("\r\n");
        }
        sb.Append(SipHeaderNames.ContentLength).Append(": ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        return [.. head, .. Body];
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes());
}

public sealed class SipRequest(string method, SipUri requestUri) : SipMessage
{
    public string Method { get; } = method;
    public SipUri RequestUri { get; set; } = requestUri;
    public override string StartLine => $"{Method} {RequestUri} SIP/2.0";
}

public sealed class SipResponse(int statusCode, string reasonPhrase) : SipMessage
{
    public int StatusCode { get; } = statusCode;
    public string ReasonPhrase { get; } = reasonPhrase;

    /// <summary>Made by this stack, not received: a transaction's timeout (408) or transport failure (503).</summary>
    public bool IsLocal { get; init; }

    public bool IsProvisional => StatusCode < 200;
    public bool IsSuccess => StatusCode is >= 200 and < 300;
    public override string StartLine => $"SIP/2.0 {StatusCode.ToString(CultureInfo.InvariantCulture)} {ReasonPhrase}";
}
