using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Daemon.Store;

/// <summary>
/// The store's calls to the kernel for durability, in one place: fdatasync of an open handle, and
/// fsync or a read-only open of a path without the advisory lock a .NET FileStream takes (LiteDB
/// opens more handles on its file as it goes, fails on a lock it did not expect, and then closes the
/// whole database). .NET opens no directories, so a directory's entries are synced through these too.
/// </summary>
internal static partial class FileSync
{
    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC

    /// <summary>fdatasync(2): the data and whatever reading it back needs (the size when it grew).</summary>
    public static void Data(SafeFileHandle handle, string path)
    {
        if (fdatasync(handle) != 0) throw new IOException($"cannot fdatasync {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>fsync(2) of a file or a directory by its path.</summary>
    public static void Path(string path)
    {
        using var handle = OpenReadOnly(path);
        if (fsync(handle) != 0) throw new IOException($"cannot fsync {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static SafeFileHandle OpenReadOnly(string path)
    {
        var fd = open(path, ReadOnlyCloseOnExec);
        if (fd < 0) throw new IOException($"cannot open {path}: errno {Marshal.GetLastPInvokeError()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(SafeFileHandle fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(SafeFileHandle fd);
}
