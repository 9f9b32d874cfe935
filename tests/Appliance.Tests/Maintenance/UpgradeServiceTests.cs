using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Node;
using Appliance.Daemon.Upgrade;
using Appliance.Tests.Backup;
using Appliance.Tests.Licensing;
using Appliance.Tests.Upgrade;

namespace Appliance.Tests.Maintenance;

/// <summary>R13: install beside the running version, switch, confirm when ready, roll back when not.</summary>
public sealed class UpgradeServiceTests
{
    [Fact]
    public async Task Install_activates_restarts_and_the_new_version_confirms_when_ready()
    {
        using var dir = new TempDir();
        await using var peer = await TestPeer.StartAsync("UPG-A1", version: "1.0.0");
        var (package, _) = await PackageBuilder.BuildAsync(dir, "2.0.0");
        var result = await Install(peer, package);
        Assert.Equal("2.0.0", result["version"]!.GetValue<string>());
        await peer.RestartRequested.Task.WaitAsync(TestPeer.Timeout);

        var status = await peer.CallAsync("upgrade.status");
        Assert.Contains(status["versions"]!.AsArray(), v => v!["version"]!.GetValue<string>() == "2.0.0" && v["state"]!.GetValue<string>() == "active");
        Assert.NotEqual("none", status["pending"]!.GetValue<string>());
        var root = peer.Options.InstallRoot;
        Assert.Equal("releases/2.0.0", new FileInfo(Path.Combine(root, "current")).LinkTarget);
        Assert.Equal("applianced 2.0.0\n", await PackageBuilder.RunAsync(Path.Combine(root, "current", "app", "applianced")));

        // The new version's start: ready -> the marker goes, the result says so.
        var next = new UpgradeService(new Installer(root), peer.Node.Logs, "2.0.0");
        next.OnReady();
        Assert.False(File.Exists(next.MarkerPath));
        Assert.Contains("1.0.0 -> 2.0.0: ready", next.Status().LastResult);

        var again = await Assert.ThrowsAsync<ApiException>(() => Install(peer, package));
        Assert.Contains("active", again.Message);
    }

    [Fact]
    public async Task A_package_with_a_bad_signature_is_refused_and_nothing_is_installed()
    {
        using var dir = new TempDir();
        await using var peer = await TestPeer.StartAsync("UPG-A2", version: "1.0.0");
        using var stranger = TestVendorKey.Stranger();
        var (package, _) = await PackageBuilder.BuildAsync(dir, "2.0.0", stranger);
        var e = await Assert.ThrowsAsync<ApiException>(() => Install(peer, package));
        Assert.Equal(ApiException.Validation, e.Kind);
        Assert.Contains("bad signature", e.Message);
        Assert.Empty((await peer.CallAsync("upgrade.status"))["versions"]!.AsArray());
        Assert.False(peer.RestartRequested.Task.IsCompleted);
    }

    [Fact]
    public async Task A_version_that_never_gets_ready_is_rolled_back_by_the_watchdog()
    {
        using var dir = new TempDir();
        var root = dir["opt"];
        var installer = new Installer(root);
        installer.Install(await Package(dir, "1.0.0"), dir["pkg-1.0.0.tar.gz.sig"]);
        installer.Activate("1.0.0");
        installer.Install(await Package(dir, "2.0.0"), dir["pkg-2.0.0.tar.gz.sig"]);
        installer.Activate("2.0.0");
        // The "daemon" after its restart into 2.0.0: alive, never ready.
        using var hung = Process.Start(new ProcessStartInfo("sleep", "600"))!;
        var marker = Path.Combine(root, UpgradeService.MarkerName);
        var pending = new UpgradeService.Pending("1.0.0", "2.0.0", DateTime.UtcNow.AddSeconds(2), hung.Id);
        await File.WriteAllTextAsync(marker, System.Text.Json.JsonSerializer.Serialize(pending));
        using var watchdog = UpgradeWatchdog.Start(root, marker, pending, [Path.Combine(root, "current", "app", "applianced")], null);
        try
        {
            await watchdog.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await hung.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("1.0.0", installer.Status().Active);
            Assert.Equal("2.0.0", installer.Status().Previous);
            var log = await File.ReadAllTextAsync(Path.Combine(root, UpgradeWatchdog.LogName));
            Assert.Contains("rolled back to 1.0.0", log);
            Assert.Contains("applianced 1.0.0", log); // outside systemd the watchdog started the old version itself

            // The old version's start reports the roll-back and clears the marker.
            var logs = new NodeLogs(dir["data"], 1 << 20, TimeProvider.System);
            var old = new UpgradeService(installer, logs, "1.0.0");
            old.OnReady();
            Assert.False(File.Exists(marker));
            Assert.Contains("rolled back", old.Status().LastResult);
            Assert.True(logs.Alarms.IsActive("upgrade-rolled-back"));
        }
        finally
        {
            if (!hung.HasExited) hung.Kill();
            if (!watchdog.HasExited) watchdog.Kill();
        }
    }

    [Fact]
    public async Task A_confirmed_upgrade_ends_the_watchdog_without_a_roll_back()
    {
        using var dir = new TempDir();
        var root = dir["opt"];
        var installer = new Installer(root);
        installer.Install(await Package(dir, "1.0.0"), dir["pkg-1.0.0.tar.gz.sig"]);
        installer.Activate("1.0.0");
        installer.Install(await Package(dir, "2.0.0"), dir["pkg-2.0.0.tar.gz.sig"]);
        installer.Activate("2.0.0");
        using var daemon = Process.Start(new ProcessStartInfo("sleep", "600"))!;
        var marker = Path.Combine(root, UpgradeService.MarkerName);
        var pending = new UpgradeService.Pending("1.0.0", "2.0.0", DateTime.UtcNow.AddSeconds(20), daemon.Id);
        await File.WriteAllTextAsync(marker, System.Text.Json.JsonSerializer.Serialize(pending));
        using var watchdog = UpgradeWatchdog.Start(root, marker, pending, [], null);
        try
        {
            new UpgradeService(installer, new NodeLogs(dir["data"], 1 << 20, TimeProvider.System), "2.0.0").OnReady();
            await watchdog.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(daemon.HasExited);
            Assert.Equal("2.0.0", installer.Status().Active);
        }
        finally
        {
            if (!daemon.HasExited) daemon.Kill();
            if (!watchdog.HasExited) watchdog.Kill();
        }
    }

    private static async Task<string> Package(TempDir dir, string version) => (await PackageBuilder.BuildAsync(dir, version)).Package;

    /// <summary>upgrade.install as the API runs it: the package uploaded, its signature line in the request.</summary>
    internal static async Task<JsonObject> Install(TestPeer peer, string package) =>
        await peer.UploadAsync("upgrade.install", new JsonObject { ["signature"] = await File.ReadAllTextAsync(package + ".sig") },
            await File.ReadAllBytesAsync(package));
}
