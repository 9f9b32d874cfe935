namespace Appliance.Daemon.Lcd;

/// <summary>What the status screen shows.</summary>
/// <param name="HostName">This peer's host name.</param>
/// <param name="LanAddress">LAN1 IPv4 address (empty when none).</param>
/// <param name="Cluster">"2/2 active", "standalone", or the reason it is not active.</param>
/// <param name="AlarmCount">Raised alarms.</param>
/// <param name="TestVendorKey">The daemon trusts the TEST vendor key (a test build or test image).</param>
/// <param name="NetworkConfirmLeft">Time left before an unconfirmed network change reverts (none open: null).</param>
public sealed record PanelStatus(string HostName, string LanAddress, string Cluster, int AlarmCount, bool TestVendorKey = false,
    TimeSpan? NetworkConfirmLeft = null);

/// <summary>LAN IPv4 settings in dotted-quad text as the panel shows and edits them.</summary>
public sealed record PanelIpv4Settings(string Address, string Mask, string Gateway);

/// <summary>
/// Everything the panel menus read and change, as delegates the host binds to the store; the menu
/// engine knows nothing else about the appliance. Every member must be set.
/// </summary>
public sealed class PanelModel
{
    /// <summary>Ethernet speed values the speed screen cycles through, in order.</summary>
    public static readonly IReadOnlyList<string> Speeds = ["auto", "10half", "10full", "100half", "100full", "1000full"];

    /// <summary>Live status for the status screen (called about once a second).</summary>
    public required Func<PanelStatus> Status { get; init; }

    /// <summary>Current LAN IPv4 settings.</summary>
    public required Func<PanelIpv4Settings> GetIpv4 { get; init; }

    /// <summary>Validates and stores new LAN IPv4 settings: null on success, else the error text to show.</summary>
    public required Func<PanelIpv4Settings, string?> SetIpv4 { get; init; }

    /// <summary>Current Ethernet speed, one of <see cref="Speeds"/>.</summary>
    public required Func<string> GetSpeed { get; init; }

    /// <summary>Stores a new Ethernet speed: null on success, else the error text to show.</summary>
    public required Func<string, string?> SetSpeed { get; init; }

    /// <summary>Cluster peers with their status text as this peer sees them.</summary>
    public required Func<IReadOnlyList<(string Name, string Status)>> Peers { get; init; }

    /// <summary>Raised alarm texts.</summary>
    public required Func<IReadOnlyList<string>> Alarms { get; init; }

    /// <summary>The peer-specific "LCD panel enabled" setting.</summary>
    public required Func<bool> Enabled { get; init; }

    /// <summary>Restarts the appliance (after the person confirmed).</summary>
    public required Action Restart { get; init; }
}
