using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>Turns stored firewall items (the config model's "firewall" collection) into HAL rules, one per item.</summary>
public static class FirewallRules
{
    public static IReadOnlyList<FirewallRule> ToRules(IEnumerable<JsonObject> items)
    {
        var rules = new List<FirewallRule>();
        foreach (var item in items) rules.AddRange(ToRules(item));
        return rules;
    }

    public static IEnumerable<FirewallRule> ToRules(JsonObject item)
    {
        var name = Text(item, "name") ?? "?";
        try
        {
            var priority = item["priority"] is JsonValue p && p.TryGetValue<int>(out var n) ? n
                : int.Parse(Text(item, "priority") ?? "", CultureInfo.InvariantCulture);
            var source = FirewallSource.Parse(Text(item, "source") ?? "any");
            var protocol = Enum.Parse<FirewallProtocol>(Text(item, "protocol") ?? "any", ignoreCase: true);
            var action = Enum.Parse<FirewallAction>(Text(item, "action") ?? "", ignoreCase: true);
            var port = Text(item, "port") is { Length: > 0 } text ? PortRange.Parse(text, $"firewall.{name}.port") : (PortRange?)null;
            var rule = new FirewallRule(priority, source, protocol, port?.First, action, port is { IsSingle: false } range ? range.Last : null);
            rule.Validate();
            return [rule];
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or ConfigValidationException)
        {
            throw new ArgumentException($"firewall rule '{name}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The rule set the host runs: the active operator rules, the cluster rule for <paramref name="peers"/>, UDP 161 open only while
    /// <paramref name="snmpOpen"/>, SIP (UDP and TCP <paramref name="sipPort"/>, TLS on TCP <paramref name="sipTlsPort"/>) open to the rendezvous addresses <paramref name="sip"/>.
    /// </summary>
    public static FirewallRuleset Ruleset(IEnumerable<JsonObject> activeItems, IEnumerable<string> peers, bool snmpOpen = false,
        IEnumerable<IPAddress>? sip = null, int sipPort = FirewallRuleset.DefaultSipPort, int sipTlsPort = FirewallRuleset.DefaultSipTlsPort) =>
        new(ToRules(activeItems), peers.Select(IPAddress.Parse).Distinct().ToList(), SnmpOpen: snmpOpen,
            SipAddresses: (sip ?? []).Distinct().ToList(), SipPort: sipPort, SipTlsPort: sipTlsPort);

    private static string? Text(JsonObject o, string field) =>
        o[field] is JsonValue v ? v.TryGetValue<string>(out var s) ? s : v.ToJsonString() : null;
}
