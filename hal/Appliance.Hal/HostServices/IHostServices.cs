namespace Appliance.Hal.HostServices;

/// <summary>
/// The host operating system's services the appliance drives: hostname, timezone, NTP state,
/// service restarts and reboot. On Linux these go over the system D-Bus to systemd's daemons.
/// </summary>
/// <remarks>
/// Every method throws <see cref="HostServiceUnavailableException"/> when the host service
/// cannot be reached (no system bus, or the daemon is not on it), <see cref="HostServiceCallException"/>
/// when the daemon refused the call, and <see cref="ArgumentException"/> for bad input.
/// </remarks>
public interface IHostServices
{
    /// <summary>Sets the static hostname (hostname1 SetStaticHostname, non-interactive).</summary>
    Task SetStaticHostnameAsync(string hostname, CancellationToken cancellationToken = default);

    /// <summary>Sets the system timezone, an IANA name such as "Europe/Berlin" (timedate1 SetTimezone).</summary>
    Task SetTimezoneAsync(string timezone, CancellationToken cancellationToken = default);

    /// <summary>Reads timedate1's NTPSynchronized property: whether the kernel clock is NTP-synchronized.</summary>
    Task<bool> GetNtpSynchronizedAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Watches NTPSynchronized. <paramref name="onChanged"/> is called at once with the current value,
    /// then on every change. Changes are seen from the PropertiesChanged signal and, because
    /// timedated does not signal every change of the kernel's sync state, also by polling.
    /// Dispose the result to stop watching.
    /// </summary>
    /// <exception cref="HostServiceUnavailableException">The first read failed.</exception>
    Task<IAsyncDisposable> WatchNtpSynchronizedAsync(Action<bool> onChanged, CancellationToken cancellationToken = default);

    /// <summary>Restarts a systemd unit such as "chronyd.service" (systemd1 RestartUnit, mode "replace").</summary>
    Task RestartServiceAsync(string unitName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a systemd unit such as "ssh.service" (systemd1 StartUnit, mode "replace"); starting a
    /// running unit does nothing, so callers may re-apply at will.
    /// </summary>
    Task StartServiceAsync(string unitName, CancellationToken cancellationToken = default);

    /// <summary>Stops a systemd unit (systemd1 StopUnit, mode "replace"); stopping a stopped unit does nothing.</summary>
    Task StopServiceAsync(string unitName, CancellationToken cancellationToken = default);

    /// <summary>Asks logind for a clean reboot (login1 Reboot, non-interactive).</summary>
    Task RebootAsync(CancellationToken cancellationToken = default);
}
