using System.Diagnostics;

namespace Appliance.Tests.Lcd;

/// <summary>
/// A real pty pair made by socat in the test's own temp dir: HostPath for the driver, DevicePath
/// for the display double. Stop/Start on the same links is an unplug and replug of the line.
/// </summary>
internal sealed class PtyPair : IAsyncDisposable
{
    private Process? _socat;

    private PtyPair(string dir)
    {
        Dir = dir;
        HostPath = Path.Combine(dir, "host");
        DevicePath = Path.Combine(dir, "device");
    }

    public string Dir { get; }
    public string HostPath { get; }
    public string DevicePath { get; }

    public static async Task<PtyPair> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lcd-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var pair = new PtyPair(dir);
        try
        {
            await pair.StartSocatAsync();
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
        return pair;
    }

    public async Task StartSocatAsync()
    {
        var info = new ProcessStartInfo("socat")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-d", "-d", $"pty,raw,echo=0,link={HostPath}", $"pty,raw,echo=0,link={DevicePath}" })
            info.ArgumentList.Add(a);
        var socat = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        socat.ErrorDataReceived += (_, _) => { };
        socat.OutputDataReceived += (_, _) => { };
        socat.BeginErrorReadLine();
        socat.BeginOutputReadLine();
        _socat = socat;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(Appliance.Hal.Lcd.SerialLine.Exists(HostPath) && Appliance.Hal.Lcd.SerialLine.Exists(DevicePath)))
        {
            if (socat.HasExited)
                throw new InvalidOperationException($"socat exited with {socat.ExitCode} before making {HostPath} and {DevicePath}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"socat did not make {HostPath} and {DevicePath} within 10 s");
            await Task.Delay(20);
        }
    }

    /// <summary>Kills socat (the line is unplugged) and removes any link it left.</summary>
    public async Task StopSocatAsync()
    {
        if (_socat is { } socat)
        {
            _socat = null;
            if (!socat.HasExited)
                socat.Kill();
            await socat.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            socat.Dispose();
        }
        foreach (var link in new[] { HostPath, DevicePath })
            if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
                File.Delete(link);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopSocatAsync();
        }
        finally
        {
            Directory.Delete(Dir, recursive: true);
        }
    }
}
