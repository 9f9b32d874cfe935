using System.Globalization;

namespace Appliance.Sip;

/// <summary>CSeq: a sequence number (below 2^31, RFC 3261 8.1.1.5) and the method.</summary>
public readonly record struct SipCSeq(int Number, string Method)
{
    public static SipCSeq Parse(string text)
    {
        var s = text.AsSpan().Trim();
        var space = s.IndexOfAny(' ', '\t');
        if (space < 0) throw new SipParseException($"CSeq '{SipText.Excerpt(s)}': expected 'NUMBER METHOD'");
        var number = s[..space];
        var method = s[(space + 1)..].Trim();
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new SipParseException($"CSeq '{SipText.Excerpt(s)}': '{SipText.Excerpt(number)}' is not a number below 2^31");
        if (!SipText.IsToken(method)) throw new SipParseException($"CSeq '{SipText.Excerpt(s)}': method '{SipText.Excerpt(method)}' is not a token");
        return new SipCSeq(n, method.ToString());
    }

    public override string ToString() => $"{Number.ToString(CultureInfo.InvariantCulture)} {Method}";
}
