using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Appliance.Hal;

/// <summary>A rule set read back from the kernel.</summary>
/// <param name="Ruleset">The rule set the table's rules express.</param>
/// <param name="Unrecognized">Rules in the table that this appliance did not render (e.g. added by hand), as JSON.</param>
public sealed record FirewallState(FirewallRuleset Ruleset, IReadOnlyList<string> Unrecognized);

/// <summary>
/// Turns <c>nft -j list table inet appliance</c> back into the model. It understands exactly the
/// shapes <see cref="NftRenderer"/> writes (rules tagged by their comment); anything else is
/// reported as unrecognized rather than guessed at.
/// </summary>
public static class NftJsonReader
{
    /// <summary>Parses nft JSON; returns null when the appliance table is not in it.</summary>
    public static FirewallState? Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var items = doc.RootElement.GetProperty("nftables").EnumerateArray().ToArray();
        bool IsOurs(JsonElement o) =>
            o.GetProperty("family").GetString() == NftRenderer.Family
            && (o.TryGetProperty("table", out var t) ? t.GetString() : o.GetProperty("name").GetString()) == NftRenderer.Table;

        if (!items.Any(i => i.TryGetProperty("table", out var t) && IsOurs(t)))
            return null;

        var policy = FirewallAction.Accept;
        var snmpOpen = false;
        var rules = new List<FirewallRule>();
        var peers = new List<IPAddress>();
        var sip = new List<IPAddress>();
        var sipPort = 0; // stays 0 for a table written before SIP was rendered, so it differs from any wanted rule set
        var sipTls = new List<IPAddress>();
        var sipTlsPort = 0; // likewise for a table written before SIP over TLS was
        var unrecognized = new List<string>();
        foreach (var item in items)
        {
            if (item.TryGetProperty("chain", out var chain) && IsOurs(chain) && chain.TryGetProperty("policy", out var p))
                policy = p.GetString() == "drop" ? FirewallAction.Drop : FirewallAction.Accept;
            if (!item.TryGetProperty("rule", out var rule) || !IsOurs(rule))
                continue;
            var comment = rule.TryGetProperty("comment", out var c) ? c.GetString() : null;
            var expr = rule.GetProperty("expr");
            var ok = comment switch
            {
                NftRenderer.BaseComment => true,
                NftRenderer.ClusterComment => ReadClusterRule(expr, peers),
                NftRenderer.SnmpComment => ReadSnmpRule(expr, ref snmpOpen),
                NftRenderer.SipComment => ReadSipRule(expr, sip, ref sipPort),
                NftRenderer.SipTlsComment => ReadSipRule(expr, sipTls, ref sipTlsPort),
                not null when comment.StartsWith(NftRenderer.OperatorCommentPrefix, StringComparison.Ordinal) =>
                    ReadOperatorRule(comment, expr, rules),
                _ => false,
            };
            if (!ok)
                unrecognized.Add(rule.GetRawText());
        }
        // Each peer is in two cluster rules (4371/4372 and 443).
        // SIP over TLS opened to other addresses than SIP is not a table we wrote: it reads back as closed (port 0).
        if (!sipTls.Select(a => a.ToString()).Distinct().Order().SequenceEqual(sip.Select(a => a.ToString()).Distinct().Order())) sipTlsPort = 0;
        return new FirewallState(new FirewallRuleset(rules, peers.Distinct().ToList(), policy, snmpOpen, sip.Distinct().ToList(), sipPort, sipTlsPort), unrecognized);
    }

    private static bool ReadSnmpRule(JsonElement expr, ref bool open)
    {
        var verdict = Verdict(expr);
        if (verdict is not (FirewallAction.Accept or FirewallAction.Drop))
            return false;
        open = verdict == FirewallAction.Accept;
        return true;
    }

    /// <summary>
    /// "ip daddr { a, b } udp|tcp dport 5060 accept": the addresses (both protocols list the same) and
    /// the port; "udp|tcp dport 5060 drop" closes it to every other address.
    /// </summary>
    private static bool ReadSipRule(JsonElement expr, List<IPAddress> addresses, ref int port)
    {
        if (Verdict(expr) is not (FirewallAction.Accept or FirewallAction.Drop))
            return false;
        foreach (var m in Matches(expr))
        {
            if (!PayloadField(m, out var proto, out var field))
                return false;
            var right = m.GetProperty("right");
            if (proto is "ip" or "ip6" && field == "daddr" && Verdict(expr) == FirewallAction.Accept)
            {
                var values = right.ValueKind == JsonValueKind.Object ? right.GetProperty("set").EnumerateArray().ToArray() : [right];
                addresses.AddRange(values.Select(v => IPAddress.Parse(v.GetString()!)));
            }
            else if (proto is "udp" or "tcp" && field == "dport" && right.ValueKind == JsonValueKind.Number)
                port = right.GetInt32();
            else
                return false;
        }
        return true;
    }

    private static bool ReadClusterRule(JsonElement expr, List<IPAddress> peers)
    {
        if (Verdict(expr) == FirewallAction.Drop)
            return true;
        foreach (var m in Matches(expr))
        {
            if (PayloadField(m, out var proto, out var field) && proto is "ip" or "ip6" && field == "saddr")
            {
                var right = m.GetProperty("right");
                var values = right.ValueKind == JsonValueKind.Object ? right.GetProperty("set").EnumerateArray().ToArray() : [right];
                foreach (var v in values)
                    peers.Add(IPAddress.Parse(v.GetString()!));
                return true;
            }
        }
        return false;
    }

    private static bool ReadOperatorRule(string comment, JsonElement expr, List<FirewallRule> rules)
    {
        if (!int.TryParse(comment.AsSpan(NftRenderer.OperatorCommentPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var priority))
            return false;
        var action = Verdict(expr);
        if (action is null)
            return false;
        var source = FirewallSource.Any;
        var protocol = FirewallProtocol.Any;
        int? port = null, lastPort = null;
        foreach (var m in Matches(expr))
        {
            var right = m.GetProperty("right");
            if (PayloadField(m, out var proto, out var field))
            {
                if (proto is "ip" or "ip6" && field == "saddr")
                    source = new FirewallSource(ParseNetwork(right));
                else if (proto is "tcp" or "udp" && field == "dport" && right.ValueKind == JsonValueKind.Number)
                {
                    protocol = proto == "tcp" ? FirewallProtocol.Tcp : FirewallProtocol.Udp;
                    port = right.GetInt32();
                }
                else if (proto is "tcp" or "udp" && field == "dport" && IsRange(right, out var first, out var last))
                {
                    protocol = proto == "tcp" ? FirewallProtocol.Tcp : FirewallProtocol.Udp;
                    (port, lastPort) = (first, last);
                }
                else
                    return false;
            }
            else if (m.GetProperty("left").TryGetProperty("meta", out var meta) && meta.GetProperty("key").GetString() == "l4proto")
            {
                protocol = right.ValueKind == JsonValueKind.String
                    ? right.GetString() switch { "tcp" => FirewallProtocol.Tcp, "udp" => FirewallProtocol.Udp, _ => FirewallProtocol.Icmp }
                    : FirewallProtocol.Icmp;
            }
            else
                return false;
        }
        rules.Add(new FirewallRule(priority, source, protocol, port, action.Value, lastPort));
        return true;
    }

    /// <summary>nft writes "dport 10000-20000" as {"range": [10000, 20000]}.</summary>
    private static bool IsRange(JsonElement right, out int first, out int last)
    {
        first = last = 0;
        if (right.ValueKind != JsonValueKind.Object || !right.TryGetProperty("range", out var range)
            || range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2)
            return false;
        var bounds = range.EnumerateArray().ToArray();
        if (bounds.Any(b => b.ValueKind != JsonValueKind.Number))
            return false;
        (first, last) = (bounds[0].GetInt32(), bounds[1].GetInt32());
        return true;
    }

    private static IPNetwork ParseNetwork(JsonElement right)
    {
        if (right.ValueKind == JsonValueKind.Object && right.TryGetProperty("prefix", out var prefix))
            return new IPNetwork(IPAddress.Parse(prefix.GetProperty("addr").GetString()!), prefix.GetProperty("len").GetInt32());
        var a = IPAddress.Parse(right.GetString()!);
        return new IPNetwork(a, a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
    }

    private static IEnumerable<JsonElement> Matches(JsonElement expr) =>
        expr.EnumerateArray().Where(e => e.TryGetProperty("match", out _)).Select(e => e.GetProperty("match"));

    private static bool PayloadField(JsonElement match, out string? protocol, out string? field)
    {
        protocol = field = null;
        if (!match.GetProperty("left").TryGetProperty("payload", out var payload))
            return false;
        protocol = payload.GetProperty("protocol").GetString();
        field = payload.GetProperty("field").GetString();
        return true;
    }

    private static FirewallAction? Verdict(JsonElement expr)
    {
        foreach (var e in expr.EnumerateArray())
        {
            if (e.TryGetProperty("accept", out _))
                return FirewallAction.Accept;
            if (e.TryGetProperty("drop", out _))
                return FirewallAction.Drop;
            if (e.TryGetProperty("reject", out _))
                return FirewallAction.Reject;
        }
        return null;
    }
}
