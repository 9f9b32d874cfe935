using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;

namespace Appliance.Daemon.Bridges;

/// <summary>
/// One bridges item as the client needs it: where its API is, with which credentials, and where it
/// takes SIP calls. Records are compared by value, so a watcher sees when any of it changed.
/// </summary>
public sealed record BridgeEndpoint(string Name, string Address, string Protocol, int Port, string? User, string? Password,
    string Type, int SipPort, string SipTransport)
{
    /// <summary>The SIP stack's name of its sipTransport (UDP, TCP, TLS); null for one this peer does not send.</summary>
    public string? SipProtocol => SipTransport switch { "tcp" => "TCP", "udp" => "UDP", "tls" => "TLS", _ => null };

    public bool IsHttps => Protocol == "https";

    /// <summary>The XML-RPC endpoint, /RPC2 as this family serves it.</summary>
    public Uri ApiUri => new($"{Protocol}://{Address}:{Port.ToString(CultureInfo.InvariantCulture)}/RPC2");

    /// <summary>"https://198.18.0.50:443" for messages (no credentials).</summary>
    public string Describe() => $"{Protocol}://{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>From a bridges item the model accepted (defaults filled in).</summary>
    public static BridgeEndpoint FromItem(JsonObject item)
    {
        var protocol = RuleContext.Text(item, "protocol") ?? "https";
        return new BridgeEndpoint(
            RuleContext.Text(item, SectionDef.NameField)!,
            RuleContext.Text(item, "address")!,
            protocol,
            Int(item, "port") ?? (protocol == "https" ? 443 : 80),
            RuleContext.Text(item, "user"),
            RuleContext.Text(item, "password"),
            RuleContext.Text(item, "type") ?? ConfigSchema.BridgeTypes[0],
            Int(item, "sipPort") ?? 5060,
            RuleContext.Text(item, "sipTransport") ?? "udp");
    }

    private static int? Int(JsonObject item, string field) => item[field] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    /// <summary>Never prints the password (records print every member).</summary>
    public override string ToString() => $"{Name} ({Describe()})";
}
