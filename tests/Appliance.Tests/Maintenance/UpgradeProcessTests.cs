using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Ctl;
using Appliance.Daemon.Upgrade;
using Appliance.Tests.Backup;
using Appliance.Tests.Licensing;

namespace Appliance.Tests.Maintenance;

/// <summary>
/// R13 on a real daemon: it runs from &lt;root&gt;/current (release 1.0.0 starts the real applianced),
/// installs 2.0.0 whose program never becomes ready, restarts into it, and the watchdog brings 1.0.0 back.
/// </summary>
public sealed class UpgradeProcessTests
{
    [Fact]
    public async Task Real_daemon_rolls_back_a_version_that_never_gets_ready()
    {
        using var dir = new TempDir();
        var root = dir["opt"];
        var socket = Path.Combine(Path.GetTempPath(), $"upg-{Guid.NewGuid():N}.sock");
        var dll = Path.Combine(AppContext.BaseDirectory, "applianced.dll");
        var good = await Package(dir, "1.0.0", $"#!/bin/sh\nexec dotnet {dll} --report-version 1.0.0 \"$@\"\n");
        var hung = await Package(dir, "2.0.0", "#!/bin/sh\nexec sleep 600\n");
        var installer = new Installer(root);
        installer.Install(good, good + ".sig");
        installer.Activate("1.0.0");

        var psi = new ProcessStartInfo(Path.Combine(root, "current", "app", "applianced")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--data-dir", dir["data"], "--api-socket", socket, "--hal", "simulated", "--serial", "UPGP-1",
                     "--install-root", root, "--upgrade-ready-seconds", "3" })
            psi.ArgumentList.Add(a);
        using var daemon = Process.Start(psi)!;
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            Assert.Equal("1.0.0", (await CallAsync(socket, "status", []))["version"]!.GetValue<string>());
            await using (var client = new ApiClient(socket, "test"))
            await using (var package = File.OpenRead(hung))
            {
                var installed = await client.UploadAsync("upgrade.install", new JsonObject { ["signature"] = await File.ReadAllTextAsync(hung + ".sig") },
                    package, "the package", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(installed.Error is null, installed.Error?.Message);
            }
            // 2.0.0 runs (as `sleep`) in the daemon's process; the watchdog rolls back and starts 1.0.0 again.
            await Ports.EventuallyAsync(async () =>
            {
                try { return (await CallAsync(socket, "upgrade.status", [], retry: false))["last"]!.GetValue<string>().Contains("rolled back"); }
                catch (Exception e) when (e is DaemonUnreachableException or IOException or InvalidOperationException) { return false; }
            }, "the roll-back to 1.0.0", TimeSpan.FromSeconds(60));
            Assert.Equal("1.0.0", installer.Status().Active);
            Assert.Equal("1.0.0", (await CallAsync(socket, "status", []))["version"]!.GetValue<string>());
            var alarms = await CallAsync(socket, "alarms", []);
            Assert.Contains("upgrade-rolled-back", alarms.ToJsonString());
            Assert.Contains("rolled back to 1.0.0", await File.ReadAllTextAsync(Path.Combine(root, "upgrade-watchdog.log")));
        }
        finally
        {
            if (!daemon.HasExited) daemon.Kill(entireProcessTree: true);
            KillStartedFrom(dir.Path);
            File.Delete(socket);
        }
    }

    /// <summary>The restarted daemon is the watchdog's process now, not ours: find it by our temp directory.</summary>
    internal static void KillStartedFrom(string path)
    {
        foreach (var proc in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)))
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{proc}/cmdline");
                if (cmdline.Contains(path, StringComparison.Ordinal))
                    using (var p = Process.GetProcessById(int.Parse(proc!, System.Globalization.CultureInfo.InvariantCulture))) p.Kill();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
            }
        }
    }

    private static async Task<string> Package(TempDir dir, string version, string script)
    {
        var src = dir[$"src-{version}"];
        Directory.CreateDirectory(Path.Combine(src, "app"));
        await File.WriteAllTextAsync(Path.Combine(src, "VERSION"), version + "\n");
        var exe = Path.Combine(src, "app", "applianced");
        await File.WriteAllTextAsync(exe, script);
        File.SetUnixFileMode(exe, (UnixFileMode)Convert.ToInt32("755", 8));
        var package = dir[$"pkg-{version}.tar.gz"];
        await Upgrade.PackageBuilder.RunAsync("tar", "czf", package, "-C", src, "VERSION", "app");
        using var key = TestVendorKey.LoadPrivate();
        PackageSignature.SignFile(package, key);
        return package;
    }

    private static async Task<JsonObject> CallAsync(string socket, string cmd, JsonObject args, bool retry = true)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var client = new ApiClient(socket, "test");
                var response = await client.CallAsync(cmd, args.DeepClone().AsObject(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.True(response.Error is null, $"{cmd}: {response.Error?.Message}");
                return response.Result!;
            }
            catch (DaemonUnreachableException) when (retry && DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }
}
