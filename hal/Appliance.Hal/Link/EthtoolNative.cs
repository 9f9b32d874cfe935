using System.Runtime.InteropServices;

namespace Appliance.Hal;

/// <summary>
/// The ethtool ioctl (SIOCETHTOOL) with ETHTOOL_GLINKSETTINGS / ETHTOOL_SLINKSETTINGS, the
/// interface the ethtool tool itself uses; calling it directly avoids parsing ethtool's text.
/// </summary>
internal static unsafe partial class EthtoolNative
{
    public const int EINVAL = 22;
    public const int EOPNOTSUPP = 95;

    private const int AF_INET = 2;
    private const int SOCK_DGRAM = 2;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int O_RDONLY_CLOEXEC = 0x80000;
    private const int CLONE_NEWNET = 0x40000000;
    private const nuint SIOCETHTOOL = 0x8946;
    private const uint ETHTOOL_GLINKSETTINGS = 0x4c;
    private const uint ETHTOOL_SLINKSETTINGS = 0x4d;

    // struct ethtool_link_settings: cmd, speed (u32), then 12 u8 fields, then reserved[7] (u32),
    // then link_mode_masks[3 * nwords] (supported, advertising, lp_advertising).
    private const int OffSpeed = 4;
    private const int OffDuplex = 8;
    private const int OffAutoneg = 11;
    private const int OffNwords = 15;
    public const int HeaderSize = 48;
    private const int MaxNwords = 127;
    private const int IfreqSize = 40;
    private const int IfNameSize = 16;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    public static string ErrnoText(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";

    /// <summary>Opens an AF_INET datagram socket in the given namespace (or the current one); returns -errno on failure.</summary>
    public static int OpenSocket(string? networkNamespace)
    {
        if (networkNamespace is null)
        {
            var fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
        }

        // A socket stays in the namespace it was created in, so only its creation needs setns.
        // That happens on a dedicated thread: a pool thread left in the wrong namespace after a
        // failure would poison unrelated work, while this thread simply ends.
        var result = 0;
        var t = new Thread(() => result = OpenSocketInNamespace(networkNamespace)) { IsBackground = true };
        t.Start();
        t.Join();
        return result;
    }

    private static int OpenSocketInNamespace(string ns)
    {
        var self = open("/proc/thread-self/ns/net", O_RDONLY_CLOEXEC);
        if (self < 0)
            return -Marshal.GetLastPInvokeError();
        var target = open("/run/netns/" + ns, O_RDONLY_CLOEXEC);
        if (target < 0)
        {
            var e = Marshal.GetLastPInvokeError();
            close(self);
            return -e;
        }
        try
        {
            if (setns(target, CLONE_NEWNET) != 0)
                return -Marshal.GetLastPInvokeError();
            var fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            var err = fd >= 0 ? 0 : Marshal.GetLastPInvokeError();
            setns(self, CLONE_NEWNET);
            return fd >= 0 ? fd : -err;
        }
        finally
        {
            close(target);
            close(self);
        }
    }

    public static void Close(int fd) => close(fd);

    /// <summary>
    /// Reads the link settings into a new buffer (header + masks). The kernel's handshake: a first
    /// call with link_mode_masks_nwords = 0 returns the negated number of 32-bit words it needs;
    /// the second call with that positive number fills in the masks.
    /// </summary>
    public static int GetLinkSettings(int fd, string ifName, out byte[] buffer)
    {
        buffer = new byte[HeaderSize + 3 * MaxNwords * 4];
        WriteU32(buffer, 0, ETHTOOL_GLINKSETTINGS);
        var err = Ioctl(fd, ifName, buffer);
        if (err != 0)
            return err;
        var nwords = (sbyte)buffer[OffNwords];
        if (nwords >= 0 || -nwords > MaxNwords)
            return EOPNOTSUPP; // the kernel did not follow the handshake
        Array.Clear(buffer);
        WriteU32(buffer, 0, ETHTOOL_GLINKSETTINGS);
        buffer[OffNwords] = (byte)(sbyte)-nwords;
        err = Ioctl(fd, ifName, buffer);
        if (err != 0)
            return err;
        return (sbyte)buffer[OffNwords] > 0 ? 0 : EOPNOTSUPP;
    }

    public static int SetLinkSettings(int fd, string ifName, byte[] buffer)
    {
        WriteU32(buffer, 0, ETHTOOL_SLINKSETTINGS);
        return Ioctl(fd, ifName, buffer);
    }

    public static uint Speed(byte[] b) => ReadU32(b, OffSpeed);
    public static void SetSpeed(byte[] b, uint speed) => WriteU32(b, OffSpeed, speed);
    public static byte Duplex(byte[] b) => b[OffDuplex];
    public static void SetDuplex(byte[] b, byte duplex) => b[OffDuplex] = duplex;
    public static bool Autoneg(byte[] b) => b[OffAutoneg] == 1;
    public static void SetAutoneg(byte[] b, bool on) => b[OffAutoneg] = on ? (byte)1 : (byte)0;
    public static int Nwords(byte[] b) => (sbyte)b[OffNwords];

    /// <summary>Bit <paramref name="bit"/> of mask <paramref name="mask"/> (0 supported, 1 advertising, 2 partner).</summary>
    public static bool GetMaskBit(byte[] b, int mask, int bit)
    {
        var word = HeaderSize + (mask * Nwords(b) + bit / 32) * 4;
        return (ReadU32(b, word) & (1u << (bit % 32))) != 0;
    }

    public static void SetMaskBit(byte[] b, int mask, int bit, bool value)
    {
        var word = HeaderSize + (mask * Nwords(b) + bit / 32) * 4;
        var v = ReadU32(b, word);
        WriteU32(b, word, value ? v | (1u << (bit % 32)) : v & ~(1u << (bit % 32)));
    }

    private static int Ioctl(int fd, string ifName, byte[] data)
    {
        var ifreq = stackalloc byte[IfreqSize];
        new Span<byte>(ifreq, IfreqSize).Clear();
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(ifName);
        if (nameBytes.Length >= IfNameSize)
            return EINVAL;
        nameBytes.CopyTo(new Span<byte>(ifreq, IfNameSize));
        fixed (byte* p = data)
        {
            *(byte**)(ifreq + IfNameSize) = p;
            return ioctl(fd, SIOCETHTOOL, ifreq) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    private static uint ReadU32(byte[] b, int off) => BitConverter.ToUInt32(b, off);

    private static void WriteU32(byte[] b, int off, uint v) => BitConverter.TryWriteBytes(b.AsSpan(off), v);
}
