using System.Text;

namespace Appliance.Daemon.Appliers;

/// <summary>Where the daemon renders snmpd's configuration and status files, and where snmpd listens.</summary>
/// <param name="ConfigFile">snmpd's only configuration file (the image's drop-in runs snmpd -C -c FILE); it holds the community.</param>
/// <param name="StatusDir">The world-readable directory of status files the extend lines cat (snmpd runs as Debian-snmp).</param>
public sealed record SnmpdFiles(string ConfigFile, string StatusDir)
{
    public const string Unit = "snmpd.service";

    /// <summary>snmpd's agentAddress: UDP 161 on every address on the box; tests bind a loopback address and port of their own.</summary>
    public string AgentAddress { get; init; } = "udp:161";
}

/// <summary>What the snmp section and the host name ask of snmpd.</summary>
public sealed record SnmpdSettings(string Community, string? Contact, string? Location, string SysName);

/// <summary>
/// Renders snmpd.conf: v2c read-only access with the community, limited to a view of the system
/// group and the extend outputs, which carry the cluster's state from <see cref="SnmpStatus"/>'s files.
/// </summary>
public static class SnmpdConfig
{
    public const string View = "applianceView";

    /// <summary>SNMPv2-MIB::system: sysDescr, sysObjectID, sysUpTime, sysContact, sysName, sysLocation.</summary>
    public const string SystemOid = ".1.3.6.1.2.1.1";

    /// <summary>
    /// NET-SNMP-EXTEND-MIB::nsExtendOutput1Table: each extend's first line, full output, line count
    /// and exit code. Only the outputs: the configuration table would also show the commands.
    /// </summary>
    public const string ExtendOutputOid = ".1.3.6.1.4.1.8072.1.3.2.3";

    public static string Render(SnmpdSettings settings, SnmpdFiles files)
    {
        if (files.StatusDir.Any(char.IsWhiteSpace))
            throw new ArgumentException($"the SNMP status directory '{files.StatusDir}' may not contain blanks: snmpd's extend lines split on them");
        var sb = new StringBuilder();
        sb.Append("# Rendered by applianced from this peer's snmp section and host name; every change overwrites it.\n");
        sb.Append($"agentAddress {files.AgentAddress}\n");
        sb.Append($"sysName {settings.SysName}\n");
        // snmpd takes the rest of the line as the value, quotes and '#' included, and refuses an empty
        // one: an unset field leaves snmpd's own default (Debian's: "root", "Unknown").
        if (settings.Contact is not null)
            sb.Append($"sysContact {settings.Contact}\n");
        if (settings.Location is not null)
            sb.Append($"sysLocation {settings.Location}\n");
        sb.Append("sysServices 72\n");
        sb.Append($"view {View} included {SystemOid}\n");
        sb.Append($"view {View} included {ExtendOutputOid}\n");
        sb.Append($"rocommunity {settings.Community} default -V {View}\n");
        foreach (var (name, file) in SnmpStatus.Extends)
            sb.Append($"extend {name} /bin/cat {Path.Combine(files.StatusDir, file)}\n");
        return sb.ToString();
    }
}
