using Appliance.Daemon.Store;
using Appliance.Hal.HostServices;

namespace Appliance.Daemon.Appliers;

/// <summary>
/// sshd follows this peer's ssh.enabled through systemd: started when true, stopped when false.
/// Nothing is enabled or disabled for the next boot: every daemon start applies the setting again.
/// Stopping sshd leaves open sessions alone (Debian's ssh.service kills only the listener).
/// Validation refuses ssh.enabled false without admin.password; a value that arrived some other way
/// (a restore) still never stops sshd without it, so the box always has a way in.
/// </summary>
public sealed class SshApplier(ApplierContext context)
    : Applier("ssh", "SSH service not applied", context.Logs.Alarms, context.DriftInterval)
{
    public const string Unit = "ssh.service";

    protected override bool Affects(StoredRecord record) =>
        context.IsOwn(record, "ssh") || ApplierContext.IsShared(record, "admin");

    protected override async Task<ApplyResult> ApplyAsync(CancellationToken ct)
    {
        var enabled = context.Section("ssh")["enabled"]?.GetValue<bool>() != false;
        var host = context.Hal.HostServices;
        try
        {
            if (enabled || !context.Config.AdminPasswordSet)
            {
                await host.StartServiceAsync(Unit, ct);
                return enabled ? ApplyResult.Done($"{Unit} running")
                    : ApplyResult.Refused($"ssh.enabled is false but admin.password is not set: {Unit} kept running so this peer stays reachable");
            }
            await host.StopServiceAsync(Unit, ct);
            return ApplyResult.Done($"{Unit} stopped (console login as admin remains)");
        }
        catch (HostServiceUnavailableException e)
        {
            return ApplyResult.Absent($"{Unit} not {(enabled ? "started" : "stopped")}: {e.Message}");
        }
    }
}
