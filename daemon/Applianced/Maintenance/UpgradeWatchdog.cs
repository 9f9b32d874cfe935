using System.Diagnostics;
using Appliance.Daemon.Node;

namespace Appliance.Daemon.Maintenance;

/// <summary>
/// The roll-back half of an upgrade outside systemd (tests, the demo; under systemd the unit's
/// start check, appliance-release-check, does it): a /bin/sh process started by the old version
/// before it restarts. It outlives the daemon's execv (it is another process) and depends on nothing of the
/// new release. While the pending marker exists it checks, five times a second, whether the
/// deadline passed or the daemon's process is gone; then it points `current` back at the old
/// release (rename(2) of a new link, as the installer does), kills the daemon, and execs the old
/// version with the daemon's arguments. The new version ends the watchdog by deleting the marker.
/// </summary>
internal static class UpgradeWatchdog
{
    public const string LogName = "upgrade-watchdog.log";

    private const string Script = """
        root=$1 marker=$2 pid=$3 deadline=$4 from=$5 to=$6
        shift 6
        exec >>"$root/upgrade-watchdog.log" 2>&1
        echo "$(date -u +%FT%TZ) watching upgrade $from -> $to (pid $pid, deadline $deadline)"
        while [ -e "$marker" ]; do
          if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
            ln -sfn "releases/$from" "$root/.current.rollback" && mv -Tf "$root/.current.rollback" "$root/current"
            ln -sfn "releases/$to" "$root/.previous.rollback" && mv -Tf "$root/.previous.rollback" "$root/previous"
            kill -9 "$pid" 2>/dev/null
            echo "$(date -u +%FT%TZ) $to not ready in time: rolled back to $from"
            if [ $# -gt 0 ]; then exec "$@"; fi
            exit 0
          fi
          sleep 0.2
        done
        echo "$(date -u +%FT%TZ) upgrade to $to confirmed"
        """;

    public static Process Start(string root, string marker, UpgradeService.Pending pending, IReadOnlyList<string> restartArgv, NodeLogs? logs)
    {
        var deadline = new DateTimeOffset(pending.DeadlineUtc, TimeSpan.Zero).ToUnixTimeSeconds();
        var psi = UpgradeService.Shell(Script, [root, marker, pending.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            deadline.ToString(System.Globalization.CultureInfo.InvariantCulture), pending.From, pending.To, .. restartArgv]);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the upgrade watchdog (/bin/sh)");
        logs?.Event($"upgrade: watchdog {process.Id} rolls back to {pending.From} unless {pending.To} is ready by {pending.DeadlineUtc:u}");
        return process;
    }
}
