using System.Runtime.InteropServices;

namespace Appliance.Daemon.Upgrade;

public sealed partial class Installer
{
    /// <summary>The target of a symbolic link, null if there is none; anything else at that path is refused.</summary>
    private static string? ReadLink(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
            return target;
        if (info.Exists || Directory.Exists(path))
            throw new UpgradeException(UpgradeError.InvalidState, $"{path} exists and is not a symbolic link");
        return null;
    }

    /// <summary>
    /// Makes <paramref name="link"/> point at <paramref name="target"/> in one step: a new link
    /// under a temporary name renamed over the old one. rename(2) replaces atomically, so a reader
    /// sees the old target or the new one, never no link. (File.Move cannot: it follows the link.)
    /// </summary>
    private static void SwapLink(string link, string target)
    {
        var temp = $"{link}.tmp-{Guid.NewGuid():N}";
        File.CreateSymbolicLink(temp, target);
        if (Rename(temp, link) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            File.Delete(temp);
            throw new IOException($"rename {temp} -> {link} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}
