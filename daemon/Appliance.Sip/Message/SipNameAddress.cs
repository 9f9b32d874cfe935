using System.Text;

namespace Appliance.Sip;

/// <summary>
/// A name-addr or addr-spec with header parameters, as in From, To, Contact, Route and
/// Record-Route: <c>"Alice" &lt;sip:alice@example.com&gt;;tag=88sja8x</c>. Without angle brackets
/// the parameters after the URI belong to the header (RFC 3261 20.10), not to the URI.
/// </summary>
public sealed class SipNameAddress
{
    public SipNameAddress(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    /// <summary>The display name without its quotes; null when none.</summary>
    public string? DisplayName { get; set; }
    public SipUri Uri { get; set; }
    public SipParameters Parameters { get; private init; } = new();

    public string? Tag
    {
        get => Parameters["tag"];
        set
        {
            if (value is null) Parameters.Remove("tag");
            else Parameters["tag"] = value;
        }
    }

    public static SipNameAddress Parse(string text)
    {
        var s = text.AsSpan().Trim();
        string? display = null;
        ReadOnlySpan<char> uriText, rest;
        var open = IndexOfAngle(s);
        if (open >= 0)
        {
            var before = s[..open].Trim();
            if (before.Length >= 2 && before[0] == '"' && before[^1] == '"') display = Unquote(before[1..^1]);
            else if (before.Length > 0) display = before.ToString();
            var close = s[open..].IndexOf('>');
            if (close < 0) throw new SipParseException($"address '{SipText.Excerpt(s)}' has '<' without '>'");
            uriText = s[(open + 1)..(open + close)];
            rest = s[(open + close + 1)..].Trim();
        }
        else
        {
            var semi = s.IndexOf(';');
            uriText = semi < 0 ? s : s[..semi];
            rest = semi < 0 ? default : s[semi..];
        }
        SipParameters parameters;
        if (rest.IsEmpty) parameters = new SipParameters();
        else if (rest[0] != ';') throw new SipParseException($"address '{SipText.Excerpt(s)}': unexpected '{SipText.Excerpt(rest)}' after the URI");
        else parameters = SipParameters.Parse(rest[1..], $"address '{SipText.Excerpt(s)}'");
        return new SipNameAddress(SipUri.Parse(uriText.ToString()), display) { Parameters = parameters };
    }

    /// <summary>The first '&lt;' outside a quoted display name.</summary>
    private static int IndexOfAngle(ReadOnlySpan<char> s)
    {
        var quoted = false;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && quoted) { i++; continue; }
            if (s[i] == '"') quoted = !quoted;
            else if (s[i] == '<' && !quoted) return i;
        }
        return -1;
    }

    private static string Unquote(ReadOnlySpan<char> s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length) i++;
            sb.Append(s[i]);
        }
        return sb.ToString();
    }

    public SipNameAddress Clone() => new(Uri.Clone(), DisplayName) { Parameters = Parameters.Clone() };

    /// <summary>Always in the name-addr form, which is safe whatever the URI's parameters.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (DisplayName is not null) sb.Append('"').Append(DisplayName.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\" ");
        return sb.Append('<').Append(Uri).Append('>').Append(Parameters).ToString();
    }
}
