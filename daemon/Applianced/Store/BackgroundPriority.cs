using System.Runtime.InteropServices;

namespace Appliance.Daemon.Store;

/// <summary>
/// Background work at a lower scheduling weight than the requests it serves. Moving the journal
/// into LiteDB is deferred work (the journal already holds every commit durably), yet each move
/// takes tens of milliseconds of CPU; at the same weight it takes a core from the writes and
/// replicated applies waiting behind it on the appliance's two cores. At nice 10 the kernel gives it
/// about a tenth of a contended core, and all of an idle one.
/// </summary>
internal static partial class BackgroundPriority
{
    private const int PrioProcess = 0; // setpriority(2) with a thread id: that thread alone (Linux)
    private const int Nice = 10;

    /// <summary>Lowers the calling thread; false where the kernel refused (the work runs at normal weight).</summary>
    public static bool LowerThisThread() => setpriority(PrioProcess, gettid(), Nice) == 0;

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, int who, int prio);
}
