namespace Appliance.Hal;

/// <summary>In-memory link settings for <c>--hal simulated</c> and the demo: every interface accepts every speed.</summary>
public sealed class SimulatedLinkSettings : ILinkSettings
{
    private readonly Dictionary<string, LinkSpeed> _speeds = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The speed last applied to an interface (Auto when none was).</summary>
    public LinkSpeed SpeedOf(string interfaceName)
    {
        lock (_lock)
            return _speeds.GetValueOrDefault(interfaceName, LinkSpeed.Auto);
    }

    /// <inheritdoc />
    public Task<LinkStatus> ReadAsync(string interfaceName, CancellationToken cancellationToken = default)
    {
        LinuxLinkSettings.ValidateName(interfaceName);
        var (mbps, duplex, auto) = SpeedOf(interfaceName) switch
        {
            LinkSpeed.Speed10Half => (10, LinkDuplex.Half, false),
            LinkSpeed.Speed10Full => (10, LinkDuplex.Full, false),
            LinkSpeed.Speed100Half => (100, LinkDuplex.Half, false),
            LinkSpeed.Speed100Full => (100, LinkDuplex.Full, false),
            _ => (1000, LinkDuplex.Full, true),
        };
        return Task.FromResult(new LinkStatus(interfaceName, mbps, duplex, auto, "simulated"));
    }

    /// <inheritdoc />
    public Task ApplyAsync(string interfaceName, LinkSpeed speed, CancellationToken cancellationToken = default)
    {
        LinuxLinkSettings.ValidateName(interfaceName);
        if (!Enum.IsDefined(speed))
            throw new ArgumentOutOfRangeException(nameof(speed), $"link speed {(int)speed} is not defined");
        lock (_lock)
            _speeds[interfaceName] = speed;
        return Task.CompletedTask;
    }
}
