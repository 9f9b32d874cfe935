using System.Runtime.InteropServices;

namespace Appliance.Daemon.Api;

/// <summary>
/// How many API connections the daemon may hold: at most <see cref="ApiServer.MaxConnections"/>
/// plus the root reserve, and never so many that they could use up the process's descriptors.
/// Out of descriptors, the .NET runtime itself fails (it reports "Out of memory" and exits), so
/// the API must leave the rest of the daemon its room: half of what is free at start, less a
/// reserve for the cluster, logs and the store.
/// </summary>
internal static partial class ConnectionLimit
{
    private const int RlimitNoFile = 7;
    private const int ReserveDescriptors = 64;
    private const int Minimum = 4;

    /// <summary>(for anyone, for root only) as this process's descriptor limit allows.</summary>
    public static (int Anyone, int RootReserve) Compute(int maxConnections, int rootReserve)
    {
        var free = FreeDescriptors();
        var total = Math.Clamp((int)Math.Min(int.MaxValue, (free - ReserveDescriptors) / 2), Minimum, maxConnections + rootReserve);
        var reserve = total * rootReserve / (maxConnections + rootReserve);
        return (total - reserve, reserve);
    }

    private static long FreeDescriptors()
    {
        if (getrlimit(RlimitNoFile, out var limit) != 0) return long.MaxValue;
        var open = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : 0;
        return (long)Math.Min(limit.Current, long.MaxValue) - open;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);
}
