using System.Runtime.InteropServices;

namespace Appliance.Daemon.Api;

/// <summary>Mode 0660, group appliance-admin when that group exists: only root and admins reach the API.</summary>
internal static partial class SocketPermissions
{
    public static void Restrict(string path, string group)
    {
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        var gid = FindGroupId(group);
        if (gid is { } g && chown(path, -1, g) != 0)
            throw new IOException($"cannot give {path} to group {group}: errno {Marshal.GetLastPInvokeError()}");
    }

    private static int? FindGroupId(string group)
    {
        if (!File.Exists("/etc/group")) return null;
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var parts = line.Split(':');
            if (parts.Length > 2 && parts[0] == group && int.TryParse(parts[2], out var gid)) return gid;
        }
        return null;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, int owner, int group);
}
