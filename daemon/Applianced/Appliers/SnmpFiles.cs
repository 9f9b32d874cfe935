using System.Text;

namespace Appliance.Daemon.Appliers;

/// <summary>snmpd's configuration and status files on disk, each replaced whole so snmpd never reads half of one.</summary>
internal static class SnmpFiles
{
    /// <summary>The configuration holds the community: only root reads it (snmpd parses it before it drops to Debian-snmp).</summary>
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Status files are read by extend's /bin/cat running as Debian-snmp.</summary>
    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode PublicDirectory = Public | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path) : null;

    /// <summary>Writes <paramref name="content"/> under <paramref name="path"/> with <paramref name="mode"/> unless it is there already; true when it wrote.</summary>
    public static bool Write(string path, string content, UnixFileMode mode)
    {
        if (Read(path) == content && File.GetUnixFileMode(path) == mode)
            return false;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
        {
            var dirMode = mode == Public ? PublicDirectory : Private | UnixFileMode.UserExecute;
            Directory.CreateDirectory(dir, dirMode);
            // The unit's UMask=0077 takes the bits Debian-snmp needs to reach the status files.
            File.SetUnixFileMode(dir, dirMode);
        }
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // Created with its final mode, so the community is never readable by others, not even briefly.
            using (var stream = new FileStream(tmp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
            {
                stream.Write(new UTF8Encoding(false).GetBytes(content));
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(tmp, mode); // the umask may have taken bits the status files need
            File.Move(tmp, path, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    public static bool Delete(string path)
    {
        if (!File.Exists(path))
            return false;
        File.Delete(path);
        return true;
    }
}
