namespace Appliance.Daemon.Hosting;

/// <summary>
/// How applianced ends, in appliancectl's scheme (README "Exit codes"), so one table serves the
/// operator, systemd and scripts: 0 stopped cleanly, 1 a bad command line, 2 refused (the store
/// or the API socket is held by another running daemon), 4 internal (the store cannot be opened).
/// 75 asks systemd to start it again (<see cref="SelfRestart.ExitCode"/>).
/// </summary>
public static class DaemonExitCodes
{
    public const int Ok = 0;
    public const int Usage = 1;
    public const int Refused = 2;
    public const int Internal = 4;
}
