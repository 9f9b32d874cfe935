namespace Appliance.Daemon.Appliers;

/// <summary>snmpd's configuration and status files on disk, each replaced whole (<see cref="Files.ReplacedFile"/>) so snmpd never reads half of one.</summary>
internal static class SnmpFiles
{
    /// <summary>The configuration holds the community: only root reads it (snmpd parses it before it drops to Debian-snmp).</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Status files are read by extend's /bin/cat running as Debian-snmp.</summary>
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode PublicDirectory = Public | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Writes <paramref name="content"/> with <paramref name="mode"/> unless it is there already; true when it wrote.</summary>
    public static bool Write(string path, string content, UnixFileMode mode) =>
        Files.ReplacedFile.WriteIfChanged(path, content, mode,
            mode == Public ? PublicDirectory : Private | UnixFileMode.UserExecute);

    public static bool Delete(string path)
    {
        if (!File.Exists(path))
            return false;
        File.Delete(path);
        return true;
    }
}
