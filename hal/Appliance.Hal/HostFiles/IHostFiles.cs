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

/// <summary>Writes the real files, each atomically (temp file in the same directory, then rename).</summary>
public sealed class LinuxHostFiles : IHostFiles
{
    /// <summary>Where Debian's resolver reads its configuration.</summary>
    public const string DefaultResolvConfPath = "/etc/resolv.conf";

    /// <summary>The appliance's timesyncd drop-in; drop-ins override timesyncd.conf without editing it.</summary>
    public const string DefaultTimesyncdDropInPath = "/etc/systemd/timesyncd.conf.d/50-appliance.conf";

    private readonly string _resolvConfPath;
    private readonly string _timesyncdDropInPath;

    /// <summary>Creates the writer.</summary>
    /// <param name="resolvConfPath">resolv.conf path (<see cref="DefaultResolvConfPath"/> on the appliance, a temp path in tests).</param>
    /// <param name="timesyncdDropInPath">timesyncd drop-in path (<see cref="DefaultTimesyncdDropInPath"/> on the appliance).</param>
    public LinuxHostFiles(string resolvConfPath, string timesyncdDropInPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(resolvConfPath);
        ArgumentException.ThrowIfNullOrEmpty(timesyncdDropInPath);
        _resolvConfPath = resolvConfPath;
        _timesyncdDropInPath = timesyncdDropInPath;
    }

    /// <inheritdoc />
    public Task WriteDnsAsync(DnsSettings settings, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(_resolvConfPath, HostFileRenderer.ResolvConf(settings), cancellationToken);

    /// <inheritdoc />
    public Task WriteNtpAsync(IReadOnlyList<string> ntpServers, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(_timesyncdDropInPath, HostFileRenderer.TimesyncdDropIn(ntpServers), cancellationToken);
}

/// <summary>Keeps the rendered files in memory for <c>--hal simulated</c> and the demo.</summary>
public sealed class SimulatedHostFiles : IHostFiles
{
    /// <summary>The last resolv.conf content, or null when none was written.</summary>
    public string? ResolvConf { get; private set; }

    /// <summary>The last timesyncd drop-in content, or null when none was written.</summary>
    public string? TimesyncdDropIn { get; private set; }

    /// <inheritdoc />
    public Task WriteDnsAsync(DnsSettings settings, CancellationToken cancellationToken = default)
    {
        ResolvConf = HostFileRenderer.ResolvConf(settings);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteNtpAsync(IReadOnlyList<string> ntpServers, CancellationToken cancellationToken = default)
    {
        TimesyncdDropIn = HostFileRenderer.TimesyncdDropIn(ntpServers);
        return Task.CompletedTask;
    }
}
