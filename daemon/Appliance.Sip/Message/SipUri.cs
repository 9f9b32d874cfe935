using System.Globalization;
using System.Text;

namespace Appliance.Sip;

/// <summary>
/// A sip: or sips: URI (RFC 3261 19.1): user, host, port, parameters and the raw "?headers" part.
/// Other schemes are refused: the B2BUA routes only SIP.
/// </summary>
public sealed class SipUri
{
    public SipUri(string host, int? port = null, string? user = null, string scheme = "sip")
    {
        Scheme = scheme;
        Host = host;
        Port = port;
        User = user;
    }

    public string Scheme { get; set; }
    /// <summary>User part with its password, as written (escaped); null when there is no '@'.</summary>
    public string? User { get; set; }
    /// <summary>Host name, IPv4, or IPv6 in brackets.</summary>
    public string Host { get; set; }
    public int? Port { get; set; }
    public SipParameters Parameters { get; private init; } = new();
    /// <summary>The "?a=b&amp;c=d" part without the '?', kept as written.</summary>
    public string? Headers { get; set; }

    public bool Secure => Scheme == "sips";

    /// <summary>Whether a Route with this URI is a loose router (";lr").</summary>
    public bool LooseRouting => Parameters.Contains("lr");

    public static SipUri Parse(string text)
    {
        var s = text.AsSpan().Trim();
        var colon = s.IndexOf(':');
        if (colon < 0) throw new SipParseException($"URI '{SipText.Excerpt(s)}' has no scheme");
        var scheme = s[..colon].ToString().ToLowerInvariant();
        if (scheme is not ("sip" or "sips")) throw new SipParseException($"URI '{SipText.Excerpt(s)}': scheme '{scheme}' is not sip or sips");
        var rest = s[(colon + 1)..];
        string? headers = null;
        if (rest.IndexOf('?') is var q and >= 0)
        {
            headers = rest[(q + 1)..].ToString();
            rest = rest[..q];
        }
        string? user = null;
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            user = rest[..at].ToString();
            if (user.Length == 0) throw new SipParseException($"URI '{SipText.Excerpt(s)}': empty user part before '@'");
            rest = rest[(at + 1)..];
        }
        var semi = rest.IndexOf(';');
        var hostPort = semi < 0 ? rest : rest[..semi];
        var (host, port) = ParseHostPort(hostPort, $"URI '{SipText.Excerpt(s)}'");
        var parameters = semi < 0 ? new SipParameters() : SipParameters.Parse(rest[(semi + 1)..], $"URI '{SipText.Excerpt(s)}'");
        return new SipUri(host, port, user, scheme) { Parameters = parameters, Headers = headers };
    }

    public static bool TryParse(string text, out SipUri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (SipParseException)
        {
            uri = null;
            return false;
        }
    }

    /// <summary>"host", "host:port", "[v6]:port"; the port must be 1-65535.</summary>
    internal static (string Host, int? Port) ParseHostPort(ReadOnlySpan<char> s, string what)
    {
        s = s.Trim();
        ReadOnlySpan<char> host, port = default;
        if (s.Length > 0 && s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 0) throw new SipParseException($"{what}: IPv6 host without ']'");
            host = s[..(close + 1)];
            var after = s[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':') throw new SipParseException($"{what}: unexpected '{after}' after the IPv6 host");
                port = after[1..];
            }
        }
        else
        {
            var c = s.IndexOf(':');
            host = c < 0 ? s : s[..c];
            if (c >= 0) port = s[(c + 1)..];
            if (c >= 0 && port.IsEmpty) throw new SipParseException($"{what}: empty port after ':'");
        }
        if (host.IsEmpty) throw new SipParseException($"{what}: empty host");
        foreach (var ch in host)
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '[' or ']' or ':' or '_'))
                throw new SipParseException($"{what}: host '{SipText.Excerpt(host)}' has the character '{ch}'");
        if (port.IsEmpty) return (host.ToString(), null);
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 65535)
            throw new SipParseException($"{what}: port '{SipText.Excerpt(port)}' is not 1-65535");
        return (host.ToString(), n);
    }

    public SipUri Clone() => new(Host, Port, User, Scheme) { Parameters = Parameters.Clone(), Headers = Headers };

    public override string ToString()
    {
        var sb = new StringBuilder(Scheme).Append(':');
        if (User is not null) sb.Append(User).Append('@');
        sb.Append(Host);
        if (Port is { } p) sb.Append(':').Append(p.ToString(CultureInfo.InvariantCulture));
        sb.Append(Parameters);
        if (Headers is not null) sb.Append('?').Append(Headers);
        return sb.ToString();
    }
}
