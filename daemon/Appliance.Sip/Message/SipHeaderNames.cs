namespace Appliance.Sip;

/// <summary>Header names: canonical spelling, compact forms (RFC 3261 7.3.3 and later RFCs), and which take comma lists.</summary>
public static class SipHeaderNames
{
    public const string Via = "Via";
    public const string From = "From";
    public const string To = "To";
    public const string CallId = "Call-ID";
    public const string CSeq = "CSeq";
    public const string Contact = "Contact";
    public const string MaxForwards = "Max-Forwards";
    public const string Route = "Route";
    public const string RecordRoute = "Record-Route";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string Allow = "Allow";
    public const string Accept = "Accept";
    public const string Supported = "Supported";
    public const string Require = "Require";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string Reason = "Reason";
    public const string RetryAfter = "Retry-After";

    private static readonly Dictionary<char, string> Compact = new()
    {
        ['i'] = CallId, ['m'] = Contact, ['e'] = "Content-Encoding", ['l'] = ContentLength, ['c'] = ContentType,
        ['f'] = From, ['s'] = "Subject", ['k'] = Supported, ['t'] = To, ['v'] = Via, ['o'] = "Event",
        ['u'] = "Allow-Events", ['r'] = "Refer-To", ['b'] = "Referred-By", ['x'] = "Session-Expires",
        ['a'] = "Accept-Contact", ['j'] = "Reject-Contact", ['d'] = "Request-Disposition", ['y'] = "Identity",
    };

    private static readonly Dictionary<string, string> Canonical = new[]
    {
        Via, From, To, CallId, CSeq, Contact, MaxForwards, Route, RecordRoute, ContentLength, ContentType, Allow, Accept,
        Supported, Require, Unsupported, UserAgent, Server, Reason, RetryAfter, "Proxy-Require", "Content-Encoding",
        "Accept-Encoding", "Accept-Language", "Allow-Events", "WWW-Authenticate", "Proxy-Authenticate", "Authorization",
        "Proxy-Authorization", "Session-Expires", "Min-SE", "Subject", "Event", "Expires", "Date", "Timestamp",
    }.ToDictionary(n => n, StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers whose values may be joined with commas in one line (RFC 3261 7.3.1); others never split.</summary>
    private static readonly HashSet<string> Lists = new(
    [
        Via, Contact, Route, RecordRoute, Allow, Accept, Supported, Require, Unsupported, "Proxy-Require",
        "Content-Encoding", "Accept-Encoding", "Accept-Language", "Allow-Events", "Path", "Service-Route",
    ], StringComparer.OrdinalIgnoreCase);

    /// <summary>The full name in its usual spelling: "v" and "VIA" both give "Via"; unknown names stay as written.</summary>
    public static string Normalize(string name) =>
        name.Length == 1 && Compact.TryGetValue(char.ToLowerInvariant(name[0]), out var full) ? full
        : Canonical.TryGetValue(name, out var canonical) ? canonical : name;

    public static bool IsList(string name) => Lists.Contains(name);
}
