using System.Net;
using System.Net.Sockets;

namespace Appliance.Hal;

/// <summary>Protocol an operator rule matches.</summary>
public enum FirewallProtocol
{
    /// <summary>Any protocol.</summary>
    Any,
    /// <summary>TCP.</summary>
    Tcp,
    /// <summary>UDP.</summary>
    Udp,
    /// <summary>ICMP (IPv4) and ICMPv6.</summary>
    Icmp,
}

/// <summary>What a matching rule does.</summary>
public enum FirewallAction
{
    /// <summary>Let the packet in.</summary>
    Accept,
    /// <summary>Silently discard.</summary>
    Drop,
    /// <summary>Discard and tell the sender (TCP reset / ICMP unreachable).</summary>
    Reject,
}

/// <summary>A source network, or any source when <see cref="Network"/> is null.</summary>
/// <param name="Network">The network, e.g. 198.18.0.0/24; a single host is a /32 (or /128).</param>
public sealed record FirewallSource(IPNetwork? Network)
{
    /// <summary>Any source.</summary>
    public static FirewallSource Any { get; } = new((IPNetwork?)null);

    /// <summary>Parses "any", an address, or a CIDR; throws <see cref="FormatException"/> naming the value.</summary>
    public static FirewallSource Parse(string text)
    {
        if (string.Equals(text.Trim(), "any", StringComparison.OrdinalIgnoreCase))
            return Any;
        if (IPAddress.TryParse(text, out var a) && !text.Contains('/'))
            return new FirewallSource(new IPNetwork(a, a.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
        var slash = text.IndexOf('/');
        if (IPNetwork.TryParse(text, out var n) && IPAddress.TryParse(text.AsSpan(0, slash), out var b) && n.BaseAddress.Equals(b))
            return new FirewallSource(n);
        throw new FormatException($"firewall source '{text}' is not 'any', an IP address or a CIDR such as 198.18.0.0/24 (host bits must be zero)");
    }

    /// <inheritdoc />
    public override string ToString() => Network?.ToString() ?? "any";
}

/// <summary>One operator rule; lower priority numbers are evaluated first.</summary>
/// <param name="Priority">Evaluation order (ascending); ties keep list order.</param>
/// <param name="Source">Source network or any.</param>
/// <param name="Protocol">Protocol matched.</param>
/// <param name="Port">Destination port (TCP/UDP only), or null for all ports; the first of a range.</param>
/// <param name="Action">What to do with a match.</param>
/// <param name="LastPort">The last port of a range Port..LastPort (above Port), or null for the single port.</param>
public sealed record FirewallRule(int Priority, FirewallSource Source, FirewallProtocol Protocol, int? Port, FirewallAction Action, int? LastPort = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the rule and what is wrong with it.</summary>
    public void Validate()
    {
        if (Priority < 0)
            throw new ArgumentException($"firewall rule {this}: priority {Priority} must be 0 or more");
        if (Port is not null && Protocol is not (FirewallProtocol.Tcp or FirewallProtocol.Udp))
            throw new ArgumentException($"firewall rule {this}: a port needs protocol tcp or udp, not {Protocol.ToString().ToLowerInvariant()}");
        if (Port is < 1 or > 65535)
            throw new ArgumentException($"firewall rule {this}: port {Port} is outside 1..65535");
        if (LastPort is not null && (Port is null || LastPort <= Port || LastPort > 65535))
            throw new ArgumentException($"firewall rule {this}: a port range must run upwards within 1..65535");
        if (!Enum.IsDefined(Protocol) || !Enum.IsDefined(Action))
            throw new ArgumentException($"firewall rule {this}: protocol or action is not defined");
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"priority {Priority} from {Source} {Protocol.ToString().ToLowerInvariant()}{(Port is null ? "" : " port " + Ports)} {Action.ToString().ToLowerInvariant()}";

    /// <summary>"443" or "10000-20000" (nft's syntax for a range), empty without a port.</summary>
    public string Ports => Port is null ? "" : LastPort is null ? $"{Port}" : $"{Port}-{LastPort}";
}

/// <summary>
/// A whole rule set: the operator rules plus the cluster rule (TCP 4371/4372 accepted only from
/// <see cref="ClusterPeers"/>, dropped from anyone else) and the SNMP rule (UDP 161 accepted only
/// while the agent is on).
/// </summary>
/// <param name="OperatorRules">Operator rules, in any order (rendered by priority).</param>
/// <param name="ClusterPeers">Addresses of the cluster peers allowed to reach the cluster ports.</param>
/// <param name="DefaultAction">What happens to input traffic no rule matched (Accept or Drop).</param>
/// <param name="SnmpOpen">
/// True while the SNMP agent runs: UDP 161 is accepted after the operator rules (which may narrow
/// it to a management network); false drops it before them, so no operator rule opens a closed agent.
/// </param>
/// <param name="SipAddresses">
/// This peer's rendezvous addresses: SIP (UDP and TCP <paramref name="SipPort"/>) is accepted to them
/// after the operator rules, so the call processor's trunk reaches the peer under a default-drop policy;
/// to any other address SIP is dropped after them.
/// </param>
/// <param name="SipPort">The SIP port opened on <paramref name="SipAddresses"/> (5060).</param>
/// <param name="SipTlsPort">SIP over TLS (TCP) opened on <paramref name="SipAddresses"/> like <paramref name="SipPort"/> (5061);
/// nothing answers there until a server certificate is selected, so it is opened with the rest of the trunk.</param>
public sealed record FirewallRuleset(
    IReadOnlyList<FirewallRule> OperatorRules, IReadOnlyList<IPAddress> ClusterPeers, FirewallAction DefaultAction = FirewallAction.Accept,
    bool SnmpOpen = false, IReadOnlyList<IPAddress>? SipAddresses = null, int SipPort = FirewallRuleset.DefaultSipPort,
    int SipTlsPort = FirewallRuleset.DefaultSipTlsPort)
{
    /// <summary>SIP's registered port, UDP and TCP.</summary>
    public const int DefaultSipPort = 5060;

    /// <summary>SIP over TLS's registered port (TCP).</summary>
    public const int DefaultSipTlsPort = 5061;

    /// <summary>The rendezvous addresses SIP is opened to (none when not given).</summary>
    public IReadOnlyList<IPAddress> Sip => SipAddresses ?? [];

    /// <summary>The cluster's TCP ports: 4371 recovery, 4372 replication.</summary>
    public static IReadOnlyList<int> ClusterPorts { get; } = [4371, 4372];

    /// <summary>The HTTPS administration's TCP port: always open to the cluster peers, narrowed for others by the operator rules.</summary>
    public const int HttpsPort = 443;

    /// <summary>The SNMP agent's UDP port.</summary>
    public const int SnmpPort = 161;

    /// <summary>The operator rules in evaluation order (priority, then list order).</summary>
    public IReadOnlyList<FirewallRule> OrderedRules => OperatorRules.OrderBy(r => r.Priority).ToArray();

    /// <summary>Value equality over the contents (records compare lists by reference otherwise).</summary>
    public bool SameAs(FirewallRuleset? other) =>
        other is not null && DefaultAction == other.DefaultAction && SnmpOpen == other.SnmpOpen
        && OrderedRules.SequenceEqual(other.OrderedRules)
        && ClusterPeers.Select(p => p.ToString()).Order().SequenceEqual(other.ClusterPeers.Select(p => p.ToString()).Order())
        && SipPort == other.SipPort && SipTlsPort == other.SipTlsPort
        && Sip.Select(p => p.ToString()).Distinct().Order().SequenceEqual(other.Sip.Select(p => p.ToString()).Distinct().Order());

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid part.</summary>
    public void Validate()
    {
        foreach (var r in OperatorRules)
            r.Validate();
        if (SipPort is < 1 or > 65535)
            throw new ArgumentException($"firewall SIP port {SipPort} is outside 1..65535");
        if (SipTlsPort is < 1 or > 65535 || SipTlsPort == SipPort)
            throw new ArgumentException($"firewall SIP TLS port {SipTlsPort} is outside 1..65535 or the same as the SIP port");
        if (DefaultAction == FirewallAction.Reject)
            throw new ArgumentException("firewall default action must be accept or drop (a chain policy cannot reject)");
    }
}
