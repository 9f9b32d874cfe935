namespace Appliance.Hal;

/// <summary>
/// Link settings through the ethtool ioctl; reading falls back to sysfs
/// (/sys/class/net/&lt;if&gt;/speed, duplex) when a driver does not answer the ioctl.
/// </summary>
public sealed class LinuxLinkSettings : ILinkSettings
{
    private const int BitAutoneg = 6;
    private const uint SpeedUnknown = 0xFFFFFFFF;

    // Link-mode bits that are not a speed/duplex (ports, pause, FEC): kept as supported when we
    // restrict advertising to one speed.
    private static readonly int[] NonSpeedBits = [6, 7, 8, 9, 10, 11, 13, 14, 16, 49, 50, 51, 74];

    // Link-mode bits of the speeds we offer: 10baseT_Half .. 1000baseT_Full.
    private static readonly (LinkSpeed Speed, int Bit)[] SpeedBits =
    [
        (LinkSpeed.Speed10Half, 0), (LinkSpeed.Speed10Full, 1), (LinkSpeed.Speed100Half, 2),
        (LinkSpeed.Speed100Full, 3), (LinkSpeed.Speed1000Full, 5),
    ];

    private readonly string? _networkNamespace;
    private readonly string _sysfsNetRoot;

    /// <summary>Creates link settings for the machine's own interfaces or those in a named network namespace.</summary>
    /// <param name="networkNamespace">A namespace name under /run/netns (as made by <c>ip netns add</c>), or null for the current one.</param>
    /// <param name="sysfsNetRoot">The sysfs directory of network interfaces; sysfs shows only the namespace it was mounted in, so it is used for reads without a namespace only.</param>
    public LinuxLinkSettings(string? networkNamespace = null, string sysfsNetRoot = "/sys/class/net")
    {
        NetworkNamespace.Validate(networkNamespace);
        _networkNamespace = networkNamespace;
        _sysfsNetRoot = sysfsNetRoot;
    }

    /// <inheritdoc />
    public Task<LinkStatus> ReadAsync(string interfaceName, CancellationToken cancellationToken = default)
    {
        ValidateName(interfaceName);
        var fd = OpenSocket(interfaceName, null);
        try
        {
            var err = EthtoolNative.GetLinkSettings(fd, interfaceName, out var b);
            if (err == 0)
            {
                var speed = EthtoolNative.Speed(b);
                return Task.FromResult(new LinkStatus(
                    interfaceName,
                    speed is 0 or SpeedUnknown ? null : (int)speed,
                    DuplexOf(EthtoolNative.Duplex(b)),
                    EthtoolNative.Autoneg(b),
                    "ethtool"));
            }
            if (_networkNamespace is null && err == EthtoolNative.EOPNOTSUPP)
                return Task.FromResult(ReadSysfs(interfaceName));
            throw new LinkSettingsException(interfaceName, null, err,
                $"cannot read link settings of interface '{interfaceName}'{Where}: {EthtoolNative.ErrnoText(err)}");
        }
        finally
        {
            EthtoolNative.Close(fd);
        }
    }

    /// <inheritdoc />
    public Task ApplyAsync(string interfaceName, LinkSpeed speed, CancellationToken cancellationToken = default)
    {
        ValidateName(interfaceName);
        var fd = OpenSocket(interfaceName, speed);
        try
        {
            var err = EthtoolNative.GetLinkSettings(fd, interfaceName, out var b);
            if (err == 0)
            {
                Configure(b, speed);
                err = EthtoolNative.SetLinkSettings(fd, interfaceName, b);
            }
            if (err != 0)
                throw new LinkSettingsException(interfaceName, speed, err,
                    $"speed {speed.ToText()} was not applied to interface '{interfaceName}'{Where}: the driver refused it: {EthtoolNative.ErrnoText(err)}");
            return Task.CompletedTask;
        }
        finally
        {
            EthtoolNative.Close(fd);
        }
    }

    private static void Configure(byte[] b, LinkSpeed speed)
    {
        switch (speed)
        {
            case LinkSpeed.Auto:
                EthtoolNative.SetAutoneg(b, true);
                CopySupportedToAdvertising(b, keep: _ => true);
                break;
            case LinkSpeed.Speed1000Full:
                // 1000BASE-T needs auto-negotiation, so "1000full" negotiates with only that mode advertised.
                EthtoolNative.SetAutoneg(b, true);
                CopySupportedToAdvertising(b, keep: bit => NonSpeedBits.Contains(bit));
                EthtoolNative.SetMaskBit(b, 1, SpeedBits.First(s => s.Speed == speed).Bit, true);
                break;
            default:
                EthtoolNative.SetAutoneg(b, false);
                EthtoolNative.SetSpeed(b, speed is LinkSpeed.Speed10Half or LinkSpeed.Speed10Full ? 10u : 100u);
                EthtoolNative.SetDuplex(b, speed is LinkSpeed.Speed10Full or LinkSpeed.Speed100Full ? (byte)1 : (byte)0);
                break;
        }
    }

    private static void CopySupportedToAdvertising(byte[] b, Func<int, bool> keep)
    {
        var bits = EthtoolNative.Nwords(b) * 32;
        for (var bit = 0; bit < bits; bit++)
            EthtoolNative.SetMaskBit(b, 1, bit, keep(bit) && EthtoolNative.GetMaskBit(b, 0, bit));
        if (EthtoolNative.GetMaskBit(b, 0, BitAutoneg))
            EthtoolNative.SetMaskBit(b, 1, BitAutoneg, true);
    }

    private LinkStatus ReadSysfs(string interfaceName)
    {
        var dir = Path.Combine(_sysfsNetRoot, interfaceName);
        int? speed = null;
        var duplex = LinkDuplex.Unknown;
        try
        {
            // Reading speed of a link that is down fails with EINVAL: that means "unknown", not an error.
            if (int.TryParse(File.ReadAllText(Path.Combine(dir, "speed")).Trim(), out var s) && s > 0)
                speed = s;
            duplex = File.ReadAllText(Path.Combine(dir, "duplex")).Trim() switch
            {
                "full" => LinkDuplex.Full,
                "half" => LinkDuplex.Half,
                _ => LinkDuplex.Unknown,
            };
        }
        catch (IOException) when (Directory.Exists(dir))
        {
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LinkSettingsException(interfaceName, null, 0, $"cannot read link settings of interface '{interfaceName}' from {dir}: {e.Message}");
        }
        return new LinkStatus(interfaceName, speed, duplex, false, "sysfs");
    }

    private int OpenSocket(string interfaceName, LinkSpeed? requested)
    {
        var fd = EthtoolNative.OpenSocket(_networkNamespace);
        if (fd < 0)
            throw new LinkSettingsException(interfaceName, requested, -fd,
                $"cannot open a socket{Where} to reach interface '{interfaceName}': {EthtoolNative.ErrnoText(-fd)}");
        return fd;
    }

    private string Where => _networkNamespace is null ? "" : $" in network namespace '{_networkNamespace}'";

    private static LinkDuplex DuplexOf(byte d) => d switch
    {
        0 => LinkDuplex.Half,
        1 => LinkDuplex.Full,
        _ => LinkDuplex.Unknown,
    };

    internal static void ValidateName(string interfaceName)
    {
        if (string.IsNullOrEmpty(interfaceName) || interfaceName.Length > 15 || interfaceName is "." or ".."
            || interfaceName.Any(c => c <= ' ' || c is '/' or ':' || c > '~'))
            throw new ArgumentException($"interface name '{interfaceName}' is not valid (1-15 printable characters, no '/', ':' or spaces)", nameof(interfaceName));
    }
}
