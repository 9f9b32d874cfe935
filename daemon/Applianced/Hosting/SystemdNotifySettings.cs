using System.Globalization;

namespace Appliance.Daemon.Hosting;

/// <summary>
/// What systemd told a Type=notify service through its environment: where to send notifications
/// and how often it expects a watchdog ping.
/// </summary>
/// <param name="NotifySocket">NOTIFY_SOCKET as given ("@name" for an abstract socket), or null.</param>
/// <param name="WatchdogInterval">Half of WATCHDOG_USEC when the watchdog applies to this process, else null.</param>
public sealed record SystemdNotifySettings(string? NotifySocket, TimeSpan? WatchdogInterval)
{
    /// <summary>Whether there is a socket to notify.</summary>
    public bool IsEnabled => NotifySocket is not null;

    /// <summary>Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID.</summary>
    /// <param name="getVariable">Environment lookup; <see cref="Environment.GetEnvironmentVariable(string)"/> in production.</param>
    /// <param name="processId">Our pid, compared with WATCHDOG_PID.</param>
    /// <exception cref="InvalidOperationException">WATCHDOG_USEC or WATCHDOG_PID is not a positive whole number.</exception>
    public static SystemdNotifySettings FromEnvironment(Func<string, string?> getVariable, int processId)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        var socket = getVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(socket))
            return new SystemdNotifySettings(null, null);

        var usecText = getVariable("WATCHDOG_USEC");
        if (string.IsNullOrEmpty(usecText))
            return new SystemdNotifySettings(socket, null);
        if (!long.TryParse(usecText, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
            throw new InvalidOperationException($"WATCHDOG_USEC='{usecText}' is not a positive whole number of microseconds.");

        // WATCHDOG_PID names the process systemd watches; a child that inherited the variables
        // must not ping on the parent's behalf (sd_watchdog_enabled does the same check).
        var pidText = getVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pidText))
        {
            if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
                throw new InvalidOperationException($"WATCHDOG_PID='{pidText}' is not a process id.");
            if (pid != processId)
                return new SystemdNotifySettings(socket, null);
        }

        // Half the timeout, as sd_watchdog_enabled(3) advises, so one late ping is not fatal.
        return new SystemdNotifySettings(socket, TimeSpan.FromMicroseconds(usec / 2.0));
    }
}
