using Appliance.Tests.Support;

namespace Appliance.Tests.Ctl;

/// <summary>appliancectl's interactive shell in a real terminal (tmux) against a real daemon, at its first prompt.</summary>
internal static class CtlShell
{
    /// <summary><paramref name="overSsh"/>: SSH_CONNECTION set as sshd sets it (a remote session, not the box's console).</summary>
    public static async Task<TmuxTerminal> StartAsync(StandaloneDaemon d, Action<string> log, bool overSsh = true)
    {
        var environment = new Dictionary<string, string>
        {
            ["APPLIANCE_SOCKET"] = d.Daemon.SocketPath,
            ["HOME"] = d.Root,
            ["TERM"] = "xterm",
        };
        if (overSsh)
            environment["SSH_CONNECTION"] = "192.0.2.1 50000 192.0.2.2 22";
        var terminal = await TmuxTerminal.StartAsync(CtlProcess.Command(), environment, columns: 100, rows: 40, log: log);
        await terminal.WaitForAsync("> ");
        return terminal;
    }
}
