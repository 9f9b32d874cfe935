using System.Diagnostics;
using System.Text.Json;
using Appliance.Daemon.Api;
using Appliance.Daemon.Logs;
using Appliance.Daemon.Node;
using Appliance.Daemon.Upgrade;

namespace Appliance.Daemon.Maintenance;

/// <summary>What `upgrade status` shows.</summary>
public sealed record UpgradeStatus(string Running, InstallerStatus Installed, string? Pending, string? LastResult);

/// <summary>
/// Upgrade (R13). See UPGRADE.md beside this file for the whole design. In short: verify the signed
/// package, install it beside the running release, switch the `current` link, write a pending
/// marker with a deadline, start a watchdog (a small shell process that outlives the daemon's
/// execv), and restart into `current`. The new version confirms by deleting the marker once it is
/// up; the watchdog rolls back (`current` -> the old release, kill, start again) if the deadline
/// passes first or the daemon dies.
/// </summary>
public sealed class UpgradeService(Installer installer, NodeLogs logs, string version, TimeProvider? time = null)
{
    public const string MarkerName = "upgrade-pending.json";
    public const string ResultName = "upgrade-last.txt";
    /// <summary>Written by the unit's start check (appliance-release-check) when it starts a pending release: a second start rolls back.</summary>
    public const string AttemptName = "upgrade-attempt";
    private const UnixFileMode MarkerMode = (UnixFileMode)0x1A4; // 0644, read by the unit's start check
    private const UnixFileMode ExecuteBits = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
    public static readonly TimeSpan DefaultReadyBound = TimeSpan.FromMinutes(3);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Installer Installer => installer;
    public string MarkerPath => Path.Combine(installer.Root, MarkerName);
    private string ResultPath => Path.Combine(installer.Root, ResultName);

    /// <summary>How long a new version has to become ready before it is rolled back (outside systemd: the watchdog's deadline).</summary>
    public TimeSpan ReadyBound { get; init; } = DefaultReadyBound;

    /// <summary>The bound in words: under systemd it is the unit's start timeout, which the start check acts on.</summary>
    public string ReadyBoundText => Hosting.SelfRestart.UnderSystemd
        ? "within the unit's start timeout (TimeoutStartSec)"
        : $"within {ReadyBound.TotalSeconds:0} s";

    /// <summary>For testing: the daemon's own process is not put under a watchdog in a test runner.</summary>
    internal bool StartWatchdog { get; set; } = true;

    /// <summary>Set once an upgrade is activated: the restart execs the new `current` instead of its own binary.</summary>
    public static string[]? RestartArgv { get; private set; }

    internal sealed record Pending(string From, string To, DateTime DeadlineUtc, int Pid);

    /// <summary>The largest package accepted (an upload is cut off here, while it arrives).</summary>
    public long MaxPackageBytes { get; init; } = Installer.DefaultMaxPackageBytes;

    /// <summary>Refused before any data moves when an upgrade cannot start now (the API's upload precheck).</summary>
    public void CheckCanInstall()
    {
        if (File.Exists(MarkerPath))
            throw new MaintenanceException(ApiException.Conflict, $"an upgrade is already in progress ({File.ReadAllText(MarkerPath).Trim()})");
    }

    /// <summary>
    /// Verifies, installs and activates a package read once from <paramref name="package"/> (see
    /// <see cref="Installer.InstallAsync"/>); the caller then restarts the daemon.
    /// </summary>
    public async Task<UpgradePackageInfo> InstallAsync(Stream package, string signature, CancellationToken ct, Progress.WorkProgress? progress = null)
    {
        CheckCanInstall();
        UpgradePackageInfo info;
        try
        {
            info = await installer.InstallAsync(package, signature, MaxPackageBytes, ct, progress);
            if (info.Version == version)
                throw new MaintenanceException(ApiException.Conflict, $"version {info.Version} is the one running; nothing to do");
            var from = installer.Status().Active ?? version;
            var pending = new Pending(from, info.Version, _time.GetUtcNow().UtcDateTime + ReadyBound, Environment.ProcessId);
            // On disk before `current` moves: after a power cut the marker decides the roll-back.
            Files.ReplacedFile.WriteIfChanged(MarkerPath, JsonSerializer.Serialize(pending), MarkerMode, MarkerMode | ExecuteBits);
            installer.Activate(info.Version);
            // Under systemd the unit's start check rolls back (a second start of an unconfirmed
            // release, also after a power cut); a watchdog process would die with the cgroup there.
            if (StartWatchdog && !Hosting.SelfRestart.UnderSystemd)
            {
                string[] argv = [CurrentExecutable, .. OwnArguments()];
                UpgradeWatchdog.Start(installer.Root, MarkerPath, pending, argv, logs);
                RestartArgv = argv;
            }
        }
        catch (UpgradeException e)
        {
            throw new MaintenanceException(e.Error == UpgradeError.InvalidState ? ApiException.Conflict : ApiException.Validation, e.Message, e);
        }
        logs.Event($"upgrade: {info.Version} installed and activated ({info.FileCount} files); restarting into it, " +
                   $"rolled back unless ready {ReadyBoundText}");
        return info;
    }

    /// <summary>At start, once the daemon is up: confirm an upgrade to this version, or report a roll-back.</summary>
    public void OnReady()
    {
        if (!File.Exists(MarkerPath)) return;
        Pending? pending;
        try { pending = JsonSerializer.Deserialize<Pending>(File.ReadAllText(MarkerPath)); }
        catch (JsonException) { pending = null; }
        if (pending is null) return;
        File.Delete(Path.Combine(installer.Root, AttemptName));
        if (pending.To == version)
        {
            File.Delete(MarkerPath);
            File.WriteAllText(ResultPath, $"upgrade {pending.From} -> {pending.To}: ready at {_time.GetUtcNow():u}\n");
            logs.Event($"upgrade: {pending.From} -> {pending.To} complete; this version is ready");
            logs.Alarms.Lower("upgrade-rolled-back");
        }
        else if (pending.From == version && installer.Status().Active == version)
        {
            File.Delete(MarkerPath);
            var text = $"upgrade {pending.From} -> {pending.To}: rolled back (not ready within the bound)";
            File.WriteAllText(ResultPath, text + "\n");
            logs.Event("upgrade: " + text, "error");
            logs.Alarms.Raise("upgrade-rolled-back", AlarmRegistry.Error, text);
        }
    }

    public UpgradeStatus Status() => new(version, installer.Status(),
        File.Exists(MarkerPath) ? File.ReadAllText(MarkerPath).Trim() : null,
        File.Exists(ResultPath) ? File.ReadAllText(ResultPath).Trim() : null);

    /// <summary>The executable that starts whatever `current` points at (the unit's ExecStart).</summary>
    public string CurrentExecutable => Path.Combine(installer.CurrentLink, UpgradePackage.AppDirectory, "applianced");

    internal static IReadOnlyList<string> OwnArguments()
    {
        var argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        // An apphost has the options from argv[1]; `dotnet applianced.dll ...` from argv[2].
        var skip = Path.GetFileName(argv[0]) == "dotnet" ? 2 : 1;
        return argv.Skip(skip).ToList();
    }

    internal static ProcessStartInfo Shell(string script, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("upgrade-watchdog");
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
