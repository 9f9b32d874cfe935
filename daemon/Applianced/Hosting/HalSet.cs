using Appliance.Hal;
using Appliance.Hal.HostServices;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// The hardware and host-service pieces one peer drives, built from the options: all in memory for
/// <c>--hal simulated</c> (tests, the demo), the real ones for <c>--hal linux</c> with every host
/// path taken from the options or the data directory so tests can point them elsewhere.
/// </summary>
public sealed record HalSet : IAsyncDisposable
{
    /// <summary>Where the Linux firewall keeps the last script nft accepted.</summary>
    public const string FirewallScriptName = "firewall.nft";

    /// <summary>Which addresses this appliance added, kept across restarts.</summary>
    public const string AddressStateName = "addresses.json";

    public required string Kind { get; init; }
    /// <summary>The LAN1 interface.</summary>
    public required string Interface { get; init; }
    public required ILinkSettings Link { get; init; }
    public required IAddressManager Addresses { get; init; }
    public required IFirewall Firewall { get; init; }
    public required IHostFiles HostFiles { get; init; }
    public required IHostServices HostServices { get; init; }
    public required IHardwareIdentity Identity { get; init; }

    /// <summary>snmpd's files when the daemon manages SNMP (--snmpd-conf), else null: the snmp section then only reports that it is not managed here.</summary>
    public Appliers.SnmpdFiles? Snmp { get; init; }

    /// <summary>Syslog delivery is plain networking in both kinds, so the real forwarder serves both.</summary>
    public Func<IReadOnlyList<SyslogServer>, SyslogForwarderOptions, SyslogForwarder> SyslogForwarder { get; init; } =
        (servers, options) => new SyslogForwarder(servers, options);

    public static HalSet Create(DaemonOptions options) =>
        (options.Hal == "linux" ? Linux(options) : Simulated(options.DataDir, options.Serial, options.Interface)) with
        {
            Snmp = options.SnmpdConf is null ? null : new Appliers.SnmpdFiles(options.SnmpdConf, options.SnmpStatusDir),
        };

    public static HalSet Simulated(string dataDir, string? serial = null, string interfaceName = "eth0") => new()
    {
        Kind = "simulated",
        Interface = interfaceName,
        Link = new SimulatedLinkSettings(),
        Addresses = new SimulatedAddressManager(),
        Firewall = new SimulatedFirewall(),
        HostFiles = new SimulatedHostFiles(),
        // A simulated box keeps good time; tests flip it to see the alarm.
        HostServices = new SimulatedHostServices { NtpSynchronized = true },
        Identity = new SimulatedHardwareIdentity(dataDir, serial),
    };

    public static HalSet Linux(DaemonOptions options)
    {
        Directory.CreateDirectory(options.DataDir);
        // DBUS_SYSTEM_BUS_ADDRESS or the system bus; nothing is connected until the first call.
        var bus = new DBusHostServices();
        return new HalSet
        {
            Kind = "linux",
            Interface = options.Interface,
            Link = new LinuxLinkSettings(),
            Addresses = options.NetworkdDir is { } networkd
                ? new NetworkdAddressManager(networkd, bus)
                : new LinuxAddressManager(Path.Combine(options.DataDir, AddressStateName)),
            Firewall = new LinuxFirewall(options.FirewallSave ?? Path.Combine(options.DataDir, FirewallScriptName)),
            HostFiles = new LinuxHostFiles(options.ResolvConf, options.TimesyncdConf),
            HostServices = bus,
            Identity = new LinuxHardwareIdentity(),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (HostServices is IAsyncDisposable d) await d.DisposeAsync();
    }
}
