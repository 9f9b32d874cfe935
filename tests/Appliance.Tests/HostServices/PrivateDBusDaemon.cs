using System.Diagnostics;

namespace Appliance.Tests.HostServices;

/// <summary>
/// A real dbus-daemon of our own, listening on a unix socket in the test's temp dir, with a
/// permissive policy so the fake host services may own the systemd names. Killed on dispose.
/// </summary>
internal sealed class PrivateDBusDaemon : IAsyncDisposable
{
    private readonly Process _process;

    private PrivateDBusDaemon(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The address the daemon printed, with its guid.</summary>
    public string Address { get; }

    /// <summary>The address without a guid, as the system bus address is configured in production.</summary>
    public string SocketAddress => Address.Split(',')[0];

    public static async Task<PrivateDBusDaemon> StartAsync(string directory, TimeSpan timeout)
    {
        var socketPath = Path.Combine(directory, "bus.sock");
        var configPath = Path.Combine(directory, "bus.conf");
        await File.WriteAllTextAsync(configPath, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={socketPath}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo("dbus-daemon")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add($"--config-file={configPath}");
        start.ArgumentList.Add("--nofork");
        start.ArgumentList.Add("--print-address");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("dbus-daemon is not installed (apt-get install dbus)", e);
        }
        var daemon = new PrivateDBusDaemon(process, "");
        try
        {
            // --print-address writes the address once the socket is listening: our readiness signal.
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(timeout);
            if (string.IsNullOrWhiteSpace(line))
                throw new InvalidOperationException(
                    $"dbus-daemon exited without an address: {await process.StandardError.ReadToEndAsync().WaitAsync(timeout)}");
            return new PrivateDBusDaemon(process, line.Trim());
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}
