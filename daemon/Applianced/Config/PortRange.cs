using System.Globalization;

namespace Appliance.Daemon.Config;

/// <summary>
/// A TCP/UDP destination port or range ("5060", "10000-20000"): the one rule for firewall.*.port,
/// used when a rule is added, set or staged and again when it is turned into the host's rule set
/// (nftables matches a whole range in one rule, so any width the syntax allows can be applied).
/// </summary>
public readonly record struct PortRange(int First, int Last)
{
    public const string Rule = "is not a port from 1 to 65535 or a range like 10000-20000";

    public bool IsSingle => First == Last;

    /// <summary>The range, or a validation error for <paramref name="path"/> naming the rule.</summary>
    public static PortRange Parse(string text, string path)
    {
        var parts = text.Split('-');
        var ports = new List<int>(2);
        foreach (var p in parts)
        {
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                throw FieldValues.Fail(path, text, Rule);
            ports.Add(port);
        }
        if (ports.Count > 2 || (ports.Count == 2 && ports[0] >= ports[1]))
            throw FieldValues.Fail(path, text, Rule + " (low-high)");
        return new PortRange(ports[0], ports[^1]);
    }

    public override string ToString() => IsSingle
        ? First.ToString(CultureInfo.InvariantCulture)
        : $"{First.ToString(CultureInfo.InvariantCulture)}-{Last.ToString(CultureInfo.InvariantCulture)}";
}
