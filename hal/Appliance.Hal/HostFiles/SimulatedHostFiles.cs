namespace Appliance.Hal;

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
