using System.Runtime.InteropServices;
using System.Text;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// Restart in place: after a clean stop the process replaces itself with a fresh copy (execv), so
/// the PID, the arguments and the environment stay the same under systemd, a test or a shell alike.
/// </summary>
internal sealed partial class SelfRestart
{
    public bool Requested { get; set; }

    public void ExecIfRequested()
    {
        if (!Requested) return;
        var argv = File.ReadAllBytes("/proc/self/cmdline");
        var args = Maintenance.UpgradeService.RestartArgv ?? Encoding.UTF8.GetString(argv).TrimEnd('\0').Split('\0');
        // After an upgrade: the new release through the `current` link, not this binary.
        var exe = Maintenance.UpgradeService.RestartArgv?[0] ?? File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)?.FullName ?? args[0];
        Console.Out.Flush();
        execv(exe, [.. args, null]);
        throw new InvalidOperationException($"restart failed: execv {exe}: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execv(string path, string?[] argv);
}
