using System.Net;
using System.Text;

namespace Appliance.Hal;

/// <summary>DNS resolver settings.</summary>
/// <param name="Domain">The DNS domain (becomes the search domain), or null.</param>
/// <param name="Servers">Name servers in order of preference.</param>
public sealed record DnsSettings(string? Domain, IReadOnlyList<IPAddress> Servers);

/// <summary>Renders host configuration files from settings; pure functions so the content can be tested exactly.</summary>
public static class HostFileRenderer
{
    private const string Header = "# Written by applianced; local changes are overwritten.\n";

    /// <summary>resolv.conf content: "search DOMAIN" then one "nameserver" line per server.</summary>
    public static string ResolvConf(DnsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var sb = new StringBuilder(Header);
        if (!string.IsNullOrEmpty(settings.Domain))
        {
            ValidateHostName(settings.Domain, "DNS domain");
            // "search" rather than "domain": both set the search list and the last one wins, and
            // "search" is the one resolvers document as the current form.
            sb.Append("search ").Append(settings.Domain).Append('\n');
        }
        // glibc reads at most three name servers (MAXNS); later ones are kept for other resolvers.
        foreach (var s in settings.Servers)
            sb.Append("nameserver ").Append(s).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// systemd-timesyncd drop-in content: "[Time]" and "NTP=" with the servers space-separated.
    /// An empty list writes "NTP=" (no servers of ours; timesyncd then uses its FallbackNTP).
    /// </summary>
    public static string TimesyncdDropIn(IReadOnlyList<string> ntpServers)
    {
        ArgumentNullException.ThrowIfNull(ntpServers);
        foreach (var s in ntpServers)
        {
            if (!IPAddress.TryParse(s, out _))
                ValidateHostName(s, "NTP server");
        }
        return Header + "[Time]\nNTP=" + string.Join(' ', ntpServers) + "\n";
    }

    internal static void ValidateHostName(string name, string what)
    {
        var labels = name.TrimEnd('.').Split('.');
        if (name.Length > 253 || labels.Any(l => l.Length is 0 or > 63 || l.StartsWith('-') || l.EndsWith('-')
            || l.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-'))))
            throw new ArgumentException($"{what} '{name}' is not a valid host name (letters, digits, '-', dot-separated labels of 1-63 characters)");
    }
}
