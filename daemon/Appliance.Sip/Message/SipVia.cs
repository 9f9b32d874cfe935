using System.Globalization;
using System.Text;

namespace Appliance.Sip;

/// <summary>One Via value: <c>SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...</c>.</summary>
public sealed class SipVia
{
    /// <summary>RFC 3261's branch prefix: a branch that starts with it is unique per transaction.</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port, string branch)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Parameters["branch"] = branch;
    }

    private SipVia(string transport, string host, int? port, SipParameters parameters)
    {
        Transport = transport;
        Host = host;
        Port = port;
        Parameters = parameters;
    }

    /// <summary>"UDP", "TCP", "TLS" (upper case).</summary>
    public string Transport { get; set; }
    public string Host { get; set; }
    public int? Port { get; set; }
    public SipParameters Parameters { get; } = new();

    public string? Branch => Parameters["branch"];

    /// <summary>host:port as the sender wrote it, the part of the transaction key next to the branch.</summary>
    public string SentBy => Port is { } p ? $"{Host}:{p.ToString(CultureInfo.InvariantCulture)}" : Host;

    public static SipVia Parse(string text)
    {
        var s = text.AsSpan().Trim();
        var what = $"Via '{SipText.Excerpt(s)}'";
        // sent-protocol: SIP / 2.0 / transport, with optional white space around the slashes.
        var parts = new string[3];
        var rest = s;
        for (var i = 0; i < 3; i++)
        {
            rest = rest.TrimStart();
            var end = i < 2 ? rest.IndexOf('/') : rest.IndexOfAny(' ', '\t');
            if (end < 0) throw new SipParseException($"{what}: expected SIP/2.0/TRANSPORT host");
            parts[i] = rest[..end].Trim().ToString();
            rest = rest[(end + 1)..];
        }
        if (!parts[0].Equals("SIP", StringComparison.OrdinalIgnoreCase) || parts[1] != "2.0")
            throw new SipParseException($"{what}: protocol '{parts[0]}/{parts[1]}' is not SIP/2.0");
        if (!SipText.IsToken(parts[2])) throw new SipParseException($"{what}: transport '{parts[2]}' is not a token");
        rest = rest.Trim();
        var semi = rest.IndexOf(';');
        var (host, port) = SipUri.ParseHostPort(semi < 0 ? rest : rest[..semi], what);
        var parameters = semi < 0 ? new SipParameters() : SipParameters.Parse(rest[(semi + 1)..], what);
        return new SipVia(parts[2].ToUpperInvariant(), host, port, parameters);
    }

    public override string ToString()
    {
        var sb = new StringBuilder("SIP/2.0/").Append(Transport).Append(' ').Append(SentBy);
        return sb.Append(Parameters).ToString();
    }
}
