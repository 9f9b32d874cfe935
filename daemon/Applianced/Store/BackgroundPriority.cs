using System.Runtime.InteropServices;

namespace Appliance.Daemon.Store;

/// <summary>
/// Background work at a lower scheduling weight than the requests it serves. Moving the journal
/// into LiteDB is deferred work (the journal already holds every commit durably), yet each move
/// takes tens of milliseconds of CPU; at the same weight it takes a core from the writes and
/// replicated applies waiting behind it on the appliance's two cores. Ten nice steps down the kernel
/// gives it about a tenth of a contended core, and all of an idle one.
/// </summary>
internal static partial class BackgroundPriority
{
    private const int PrioProcess = 0; // getpriority/setpriority(2) with a thread id: that thread alone (Linux)
    private const int Lower = 10;
    private const int Weakest = 19;

    /// <summary>
    /// The calling thread 10 nice steps below the process's others (at most 19); where the kernel
    /// refuses, the work runs at their weight.
    /// </summary>
    public static void LowerThisThread()
    {
        var tid = gettid();
        setpriority(PrioProcess, tid, Math.Min(Weakest, getpriority(PrioProcess, tid) + Lower));
    }

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc")]
    private static partial int getpriority(int which, int who);

    [LibraryImport("libc")]
    private static partial int setpriority(int which, int who, int prio);
}
