namespace Appliance.Hal;

/// <summary>
/// Host configuration files for DNS and NTP. Writing a file does not restart a service; the
/// caller asks the service manager for that (timesyncd reads its drop-ins on restart).
/// </summary>
public interface IHostFiles
{
    /// <summary>Writes resolv.conf for <paramref name="settings"/>.</summary>
    Task WriteDnsAsync(DnsSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Writes the timesyncd drop-in naming <paramref name="ntpServers"/>.</summary>
    Task WriteNtpAsync(IReadOnlyList<string> ntpServers, CancellationToken cancellationToken = default);
}
