using System.Diagnostics;

namespace Appliance.Tests.Support;

/// <summary>What every process a test starts needs at its end.</summary>
public static class ChildProcesses
{
    /// <summary>Kills the process (and its children) if it still runs and waits up to 10 s for it to be gone.</summary>
    public static async Task KillAsync(Process process)
    {
        if (process.HasExited) return;
        try { process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }
}
