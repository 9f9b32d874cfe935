using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Daemon.Files;

/// <summary>
/// Opens a path for reading only if it is a regular file, judged on the opened descriptor itself
/// (statx on the fd): no symbolic link is followed, and a FIFO, device or socket is refused, so
/// what was checked is what is read. Opening with O_NONBLOCK keeps a FIFO from blocking the open.
/// </summary>
internal static partial class RegularFile
{
    private const int ORdOnly = 0, ONonBlock = 0x800, OCloExec = 0x80000;
    // O_NOFOLLOW is one of the few flags whose value differs between x86-64 and arm64.
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    private const int SIfMt = 0xF000, SIfReg = 0x8000;
    private const int StatxSize = 256, ModeOffset = 28;

    public static FileStream OpenRead(string path, string what)
    {
        var fd = Open(path, ORdOnly | ONonBlock | ONoFollow | OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var reason = errno == 40 ? "is a symbolic link (refused: links are not followed)" : Marshal.GetPInvokeErrorMessage(errno);
            throw new RefusedFileException($"cannot open {what} {path}: {reason}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var mode = ModeOf(fd);
            if ((mode & SIfMt) != SIfReg)
                throw new RefusedFileException($"{what} {path} is not a regular file ({TypeName(mode)})");
            return new FileStream(handle, FileAccess.Read, 81920);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static int ModeOf(int fd)
    {
        Span<byte> statx = stackalloc byte[StatxSize];
        if (Statx(fd, "", AtEmptyPath, StatxType, ref MemoryMarshal.GetReference(statx)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"statx failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return MemoryMarshal.Read<ushort>(statx[ModeOffset..]);
    }

    private static string TypeName(int mode) => (mode & SIfMt) switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => $"type {mode & SIfMt:X}",
    };

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}

/// <summary>A file was not opened: it is a link, not a regular file, or cannot be opened; the message says which.</summary>
internal sealed class RefusedFileException(string message) : IOException(message);
