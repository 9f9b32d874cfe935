using System.Text.RegularExpressions;

namespace Appliance.Hal.HostServices;

/// <summary>
/// Checks arguments before they reach the host, so a bad value fails here with a message naming
/// it instead of as an opaque D-Bus InvalidArgs error (or, worse, a hostname the host accepts
/// but the cluster cannot resolve).
/// </summary>
internal static partial class HostServiceInput
{
    // RFC 1123 labels, lowercase or uppercase, dot-separated; the host caps the whole (HostnameLimits).
    [GeneratedRegex(@"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")]
    private static partial Regex HostnamePattern();

    // IANA zone names: "UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5".
    [GeneratedRegex(@"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")]
    private static partial Regex TimezonePattern();

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]+\.(service|socket|target|timer|mount|path|slice|scope|swap|device|automount)$")]
    private static partial Regex UnitPattern();

    public static void Hostname(string hostname)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        if (hostname.Length is 0 or > HostnameLimits.MaxLength || !HostnamePattern().IsMatch(hostname))
            throw new ArgumentException(
                $"Invalid hostname '{hostname}': use 1-{HostnameLimits.MaxLength} characters of letters, digits, '-' and '.', " +
                "with no label starting or ending in '-'.", nameof(hostname));
    }

    public static void Timezone(string timezone)
    {
        ArgumentNullException.ThrowIfNull(timezone);
        if (timezone.Length is 0 or > 255 || !TimezonePattern().IsMatch(timezone) || timezone.Contains(".."))
            throw new ArgumentException(
                $"Invalid timezone '{timezone}': expected an IANA zone name such as 'UTC' or 'Europe/Berlin'.",
                nameof(timezone));
    }

    public static void UnitName(string unitName)
    {
        ArgumentNullException.ThrowIfNull(unitName);
        if (unitName.Length is 0 or > 255 || !UnitPattern().IsMatch(unitName))
            throw new ArgumentException(
                $"Invalid systemd unit name '{unitName}': expected a name with a unit suffix such as 'chronyd.service'.",
                nameof(unitName));
    }
}
