using Appliance.Hal.HostServices;

namespace Appliance.Daemon.Config;

/// <summary>RFC 1123 host names and the "host or IPv4" syntax used by NTP, syslog and bridges.</summary>
public static class HostNames
{
    public const string NameRule = "is not a valid name (RFC 1123: letters, digits and '-', labels of 1-63 separated by '.')";

    /// <summary>
    /// Null when the text can be this peer's own host name (system.hostname), else the rule broken:
    /// a DNS name may be 253 characters, but the host keeps at most <see cref="HostnameLimits.MaxLength"/>.
    /// </summary>
    public static string? CheckOwnHostName(string text)
    {
        if (!IsHostName(text))
            return NameRule;
        return text.Length > HostnameLimits.MaxLength
            ? $"is {text.Length} characters long; a Linux host name holds at most {HostnameLimits.MaxLength}"
            : null;
    }

    public static bool IsLabel(string label) =>
        label.Length is >= 1 and <= 63
        && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
        && label[0] != '-' && label[^1] != '-';

    /// <summary>One or more dot-separated labels, at most 253 characters, not all-numeric.</summary>
    public static bool IsHostName(string text)
    {
        if (text.Length is 0 or > 253)
            return false;
        var labels = text.Split('.');
        // An all-numeric dotted name is an IPv4 address typed wrong, not a host name.
        if (labels.All(l => l.Length > 0 && l.All(char.IsAsciiDigit)))
            return false;
        return labels.All(IsLabel);
    }

    /// <summary>Returns null when the text is a valid host name or unicast IPv4 address, else the rule broken.</summary>
    public static string? CheckHost(string text)
    {
        if (text.Length > 0 && text.Split('.').All(l => l.Length > 0 && l.All(char.IsAsciiDigit)))
        {
            if (!Ipv4.TryParse(text, out var v))
                return "is not a valid IPv4 address";
            return Ipv4.IsUnicast(v) ? null : "is not a unicast IPv4 address";
        }
        return IsHostName(text) ? null : "is not a host name (RFC 1123) or IPv4 address";
    }
}
