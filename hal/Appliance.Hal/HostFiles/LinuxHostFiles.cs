namespace Appliance.Hal;

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
