using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// Restart after a clean stop (`restart`, a restore, an upgrade). Under systemd the process exits
/// with <see cref="ExitCode"/>, which the unit names in RestartForceExitStatus= and
/// SuccessExitStatus=: systemd starts the unit's ExecStart again (the `current` release after an
/// upgrade) with Result=success. Execing in place there would be wrong: the daemon has already
/// sent STOPPING=1, so systemd would ignore the new READY=1 and kill the cgroup at TimeoutStopSec.
/// Elsewhere (tests, the demo, a shell) the process replaces itself with a fresh copy (execv), so
/// the PID, the arguments and the environment stay the same.
/// </summary>
internal sealed partial class SelfRestart
{
    /// <summary>EX_TEMPFAIL: "start me again"; applianced.service lists it in RestartForceExitStatus=.</summary>
    public const int ExitCode = 75;

    public bool Requested { get; set; }

    /// <summary>True when systemd started this process as a service's main process (its parent is systemd).</summary>
    public static bool UnderSystemd { get; } = SystemdHelpers.IsSystemdService();

    /// <summary>Returns the process's exit code: 0, or <see cref="ExitCode"/> for systemd to restart it; execs elsewhere.</summary>
    public int ExitOrExecIfRequested()
    {
        if (!Requested) return 0;
        Console.Out.Flush();
        if (UnderSystemd) return ExitCode;
        var argv = File.ReadAllBytes("/proc/self/cmdline");
        var args = Maintenance.UpgradeService.RestartArgv ?? Encoding.UTF8.GetString(argv).TrimEnd('\0').Split('\0');
        // After an upgrade: the new release through the `current` link, not this binary.
        var exe = Maintenance.UpgradeService.RestartArgv?[0] ?? File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)?.FullName ?? args[0];
        execv(exe, [.. args, null]);
        throw new InvalidOperationException($"restart failed: execv {exe}: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int execv(string path, string?[] argv);
}
