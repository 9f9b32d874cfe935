using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Appliance.Hal;

/// <summary>Renders a <see cref="FirewallRuleset"/> as an nft script that replaces table <c>inet appliance</c> in one transaction.</summary>
public static class NftRenderer
{
    /// <summary>The nft family of the appliance's table.</summary>
    public const string Family = "inet";

    /// <summary>The name of the appliance's table; nothing else in the host's ruleset is touched.</summary>
    public const string Table = "appliance";

    internal const string ClusterComment = "cluster";
    internal const string BaseComment = "base";
    internal const string SnmpComment = "snmp";
    internal const string SipComment = "sip";
    internal const string SipTlsComment = "sip-tls";
    internal const string OperatorCommentPrefix = "operator priority ";

    /// <summary>
    /// The script: "add" makes sure the table exists so "delete" cannot fail on a first apply,
    /// then the full definition; <c>nft -f</c> applies the file as one transaction, so the old
    /// table is never missing and never doubled.
    /// </summary>
    public static string Render(FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        ruleset.Validate();
        var sb = new StringBuilder();
        sb.Append($"table {Family} {Table}\n");
        sb.Append($"delete table {Family} {Table}\n");
        sb.Append($"table {Family} {Table} {{\n");
        sb.Append("\tchain input {\n");
        sb.Append($"\t\ttype filter hook input priority filter; policy {(ruleset.DefaultAction == FirewallAction.Drop ? "drop" : "accept")};\n");

        // Cluster rules come first so no operator rule can open the cluster ports to others.
        var ports = "{ " + string.Join(", ", FirewallRuleset.ClusterPorts) + " }";
        foreach (var (family, peers) in ByFamily(ruleset.ClusterPeers))
        {
            sb.Append($"\t\ttcp dport {ports} {family} saddr {{ {string.Join(", ", peers)} }} accept comment \"{ClusterComment}\"\n");
            // The peers reach each other's HTTPS pages whatever the operator rules say; everyone else
            // is left to the operator rules (443 is not dropped here: administrators need it).
            sb.Append($"\t\ttcp dport {FirewallRuleset.HttpsPort} {family} saddr {{ {string.Join(", ", peers)} }} accept comment \"{ClusterComment}\"\n");
        }
        sb.Append($"\t\ttcp dport {ports} drop comment \"{ClusterComment}\"\n");
        if (!ruleset.SnmpOpen)
            sb.Append(SnmpRule("drop"));

        // Loopback and replies to our own connections stay open whatever the operator drops, so
        // a default-drop rule set cannot cut the appliance off from itself or its peers.
        sb.Append($"\t\tiif \"lo\" accept comment \"{BaseComment}\"\n");
        sb.Append($"\t\tct state established,related accept comment \"{BaseComment}\"\n");

        foreach (var rule in ruleset.OrderedRules)
            sb.Append("\t\t").Append(RenderRule(rule)).Append('\n');
        // After the operator rules, so they can narrow an open agent; under a default-drop policy
        // this is what lets SNMP in at all.
        if (ruleset.SnmpOpen)
            sb.Append(SnmpRule("accept"));
        // Likewise SIP to the rendezvous addresses, after the operator rules that may narrow it;
        // to any other address it is dropped (the base table lets 5060 through to be narrowed here).
        string[] sipProtocols = ["udp", "tcp"];
        foreach (var (family, addresses) in ByFamily(ruleset.Sip))
            foreach (var protocol in sipProtocols)
                sb.Append($"\t\t{family} daddr {{ {string.Join(", ", addresses)} }} {protocol} dport {ruleset.SipPort} accept comment \"{SipComment}\"\n");
        foreach (var protocol in sipProtocols)
            sb.Append($"\t\t{protocol} dport {ruleset.SipPort} drop comment \"{SipComment}\"\n");
        // SIP over TLS: TCP only, the same addresses.
        foreach (var (family, addresses) in ByFamily(ruleset.Sip))
            sb.Append($"\t\t{family} daddr {{ {string.Join(", ", addresses)} }} tcp dport {ruleset.SipTlsPort} accept comment \"{SipTlsComment}\"\n");
        sb.Append($"\t\ttcp dport {ruleset.SipTlsPort} drop comment \"{SipTlsComment}\"\n");
        sb.Append("\t}\n}\n");
        return sb.ToString();
    }

    /// <summary>The script that removes the appliance table (and succeeds when there is none).</summary>
    public static string RenderRemove() => $"table {Family} {Table}\ndelete table {Family} {Table}\n";

    internal static string RenderRule(FirewallRule rule)
    {
        var parts = new List<string>();
        if (rule.Source.Network is { } n)
            parts.Add($"{(n.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? "ip" : "ip6")} saddr {n}");
        switch (rule.Protocol)
        {
            case FirewallProtocol.Tcp or FirewallProtocol.Udp:
                var p = rule.Protocol == FirewallProtocol.Tcp ? "tcp" : "udp";
                parts.Add(rule.Port is null ? $"meta l4proto {p}" : $"{p} dport {rule.Ports}");
                break;
            case FirewallProtocol.Icmp:
                parts.Add("meta l4proto { icmp, ipv6-icmp }");
                break;
        }
        parts.Add(rule.Action switch
        {
            FirewallAction.Accept => "accept",
            FirewallAction.Drop => "drop",
            _ => rule.Protocol == FirewallProtocol.Tcp ? "reject with tcp reset" : "reject",
        });
        parts.Add($"comment \"{OperatorCommentPrefix}{rule.Priority}\"");
        return string.Join(' ', parts);
    }

    private static string SnmpRule(string verdict) =>
        $"\t\tudp dport {FirewallRuleset.SnmpPort} {verdict} comment \"{SnmpComment}\"\n";

    private static IEnumerable<(string Family, string[] Peers)> ByFamily(IReadOnlyList<IPAddress> peers)
    {
        var v4 = peers.Where(p => p.AddressFamily == AddressFamily.InterNetwork).Select(p => p.ToString()).Distinct().ToArray();
        var v6 = peers.Where(p => p.AddressFamily == AddressFamily.InterNetworkV6).Select(p => p.ToString()).Distinct().ToArray();
        if (v4.Length > 0)
            yield return ("ip", v4);
        if (v6.Length > 0)
            yield return ("ip6", v6);
    }
}
