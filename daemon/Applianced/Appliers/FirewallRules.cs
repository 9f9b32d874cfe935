using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Hal;

namespace Appliance.Daemon.Appliers;

/// <summary>Turns stored firewall items (the config model's "firewall" collection) into HAL rules.</summary>
public static class FirewallRules
{
    /// <summary>The renderer matches one port per rule, so a range becomes one rule per port, up to this many.</summary>
    public const int MaxRangePorts = 64;

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
            var ports = Ports(Text(item, "port"));
            var rules = ports.Count == 0
                ? [new FirewallRule(priority, source, protocol, null, action)]
                : ports.Select(port => new FirewallRule(priority, source, protocol, port, action)).ToList();
            foreach (var r in rules) r.Validate();
            return rules;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException($"firewall rule '{name}': {e.Message}", e);
        }
    }

    /// <summary>The rule set the host runs: the active operator rules plus the cluster rule for <paramref name="peers"/>.</summary>
    public static FirewallRuleset Ruleset(IEnumerable<JsonObject> activeItems, IEnumerable<string> peers) =>
        new(ToRules(activeItems), peers.Select(IPAddress.Parse).Distinct().ToList());

    private static List<int> Ports(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        var parts = text.Split('-');
        var first = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var last = parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : first;
        if (last < first) throw new FormatException($"port range {text} runs backwards");
        if (last - first + 1 > MaxRangePorts) throw new FormatException($"port range {text} is wider than {MaxRangePorts} ports");
        return Enumerable.Range(first, last - first + 1).ToList();
    }

    private static string? Text(JsonObject o, string field) =>
        o[field] is JsonValue v ? v.TryGetValue<string>(out var s) ? s : v.ToJsonString() : null;
}
