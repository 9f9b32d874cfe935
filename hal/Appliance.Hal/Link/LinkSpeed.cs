namespace Appliance.Hal;

/// <summary>The Ethernet speed settings the appliance offers.</summary>
public enum LinkSpeed
{
    /// <summary>Auto-negotiate speed and duplex.</summary>
    Auto,
    /// <summary>10 Mb/s half duplex.</summary>
    Speed10Half,
    /// <summary>10 Mb/s full duplex.</summary>
    Speed10Full,
    /// <summary>100 Mb/s half duplex.</summary>
    Speed100Half,
    /// <summary>100 Mb/s full duplex.</summary>
    Speed100Full,
    /// <summary>1000 Mb/s full duplex (negotiated, as 1000BASE-T requires).</summary>
    Speed1000Full,
}

/// <summary>Duplex of a link as the driver reports it.</summary>
public enum LinkDuplex
{
    /// <summary>The driver does not know (link down or not reported).</summary>
    Unknown,
    /// <summary>Half duplex.</summary>
    Half,
    /// <summary>Full duplex.</summary>
    Full,
}

/// <summary>Text forms of <see cref="LinkSpeed"/>: auto, 10half, 10full, 100half, 100full, 1000full.</summary>
public static class LinkSpeedText
{
    private static readonly (LinkSpeed Speed, string Text)[] Names =
    [
        (LinkSpeed.Auto, "auto"), (LinkSpeed.Speed10Half, "10half"), (LinkSpeed.Speed10Full, "10full"),
        (LinkSpeed.Speed100Half, "100half"), (LinkSpeed.Speed100Full, "100full"), (LinkSpeed.Speed1000Full, "1000full"),
    ];

    /// <summary>All accepted text forms, in order.</summary>
    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Text).ToArray();

    /// <summary>The text form of a speed, e.g. "100full".</summary>
    public static string ToText(this LinkSpeed speed) =>
        Names.First(n => n.Speed == speed).Text;

    /// <summary>Parses a text form; throws <see cref="FormatException"/> naming the value and the accepted forms.</summary>
    public static LinkSpeed Parse(string text)
    {
        if (TryParse(text, out var speed))
            return speed;
        throw new FormatException($"link speed '{text}' is not one of {string.Join(", ", All)}");
    }

    /// <summary>Parses a text form (case-insensitive).</summary>
    public static bool TryParse(string? text, out LinkSpeed speed)
    {
        foreach (var (s, t) in Names)
        {
            if (string.Equals(t, text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                speed = s;
                return true;
            }
        }
        speed = LinkSpeed.Auto;
        return false;
    }
}
