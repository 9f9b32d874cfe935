using Appliance.Daemon.Upgrade;
using Appliance.Tests.Backup;
using Appliance.Tests.Licensing;
using static Appliance.Tests.Upgrade.PackageBuilder;

namespace Appliance.Tests.Upgrade;

public class InstallerTests
{
    private static async Task<Installer> InstalledAsync(TempDir dir, params string[] versions)
    {
        var installer = new Installer(dir["root"]);
        foreach (var v in versions)
        {
            var (pkg, sig) = await BuildAsync(dir, v);
            Assert.Equal(v, installer.Install(pkg, sig).Version);
        }
        return installer;
    }

    [Fact]
    public async Task Install_and_activate_points_current_at_the_release()
    {
        using var dir = new TempDir();
        var installer = await InstalledAsync(dir, "1.0.0");
        Assert.Null(installer.Status().Active);

        installer.Activate("1.0.0");

        Assert.Equal("releases/1.0.0", new FileInfo(dir["root/current"]).LinkTarget);
        Assert.Equal("1.0.0\n", await File.ReadAllTextAsync(dir["root/current/VERSION"]).WaitAsync(TestTimeout));
        // The package's permission bits survive: the app can be started through the link.
        Assert.Equal("applianced 1.0.0\n", await RunAsync(dir["root/current/app/applianced"]));
        var s = installer.Status();
        Assert.Equal(["1.0.0"], s.Versions);
        Assert.Equal(("1.0.0", null), (s.Active, s.Previous));
        Assert.Equal(["current", "releases"], Directory.GetFileSystemEntries(dir["root"]).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Upgrade_then_rollback_restores_the_previous_link()
    {
        using var dir = new TempDir();
        var installer = await InstalledAsync(dir, "1.0.0", "1.1.0");
        installer.Activate("1.0.0");
        installer.Activate("1.1.0");
        var s = installer.Status();
        Assert.Equal(["1.0.0", "1.1.0"], s.Versions);
        Assert.Equal(("1.1.0", "1.0.0"), (s.Active, s.Previous));

        Assert.Equal("1.0.0", installer.Rollback());

        Assert.Equal("releases/1.0.0", new FileInfo(dir["root/current"]).LinkTarget);
        Assert.Equal("applianced 1.0.0\n", await RunAsync(dir["root/current/app/applianced"]));
        Assert.Equal(("1.0.0", "1.1.0"), (installer.Status().Active, installer.Status().Previous));
        Assert.Equal("1.1.0", installer.Rollback());
        Assert.Equal(["current", "previous", "releases"], Directory.GetFileSystemEntries(dir["root"]).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Rollback_without_previous_is_refused()
    {
        using var dir = new TempDir();
        var installer = await InstalledAsync(dir, "1.0.0");
        Assert.Contains("no previous version", Assert.Throws<UpgradeException>(installer.Rollback).Message);
        installer.Activate("1.0.0");
        Assert.Contains("no previous version", Assert.Throws<UpgradeException>(installer.Rollback).Message);
    }

    [Fact]
    public async Task Bad_signature_installs_nothing()
    {
        using var dir = new TempDir();
        using var stranger = TestVendorKey.Stranger();
        var (pkg, sig) = await BuildAsync(dir, "2.0.0", stranger);
        var installer = new Installer(dir["root"]);
        Assert.Equal(UpgradeError.BadSignature, Assert.Throws<UpgradeException>(() => installer.Install(pkg, sig)).Error);
        Assert.Empty(installer.Status().Versions);
        Assert.False(Directory.Exists(dir["root/releases/2.0.0"]));
    }

    [Fact]
    public async Task Activating_a_version_not_installed_names_those_that_are()
    {
        using var dir = new TempDir();
        var installer = await InstalledAsync(dir, "1.0.0");
        var e = Assert.Throws<UpgradeException>(() => installer.Activate("3.0.0"));
        Assert.Contains("3.0.0 is not installed (installed: 1.0.0)", e.Message);
        Assert.Contains("\"../x\"", Assert.Throws<UpgradeException>(() => installer.Activate("../x")).Message);
    }

    [Fact]
    public async Task Active_version_cannot_be_reinstalled_or_removed_but_inactive_can()
    {
        using var dir = new TempDir();
        var installer = await InstalledAsync(dir, "1.0.0", "1.1.0", "1.2.0");
        installer.Activate("1.0.0");
        installer.Activate("1.1.0");
        var (pkg, sig) = (dir["pkg-1.1.0.tar.gz"], dir["pkg-1.1.0.tar.gz.sig"]);
        Assert.Contains("active", Assert.Throws<UpgradeException>(() => installer.Install(pkg, sig)).Message);
        Assert.Contains("roll-back target", Assert.Throws<UpgradeException>(() => installer.Remove("1.0.0")).Message);

        Assert.Equal("1.2.0", installer.Install(dir["pkg-1.2.0.tar.gz"], dir["pkg-1.2.0.tar.gz.sig"]).Version);
        installer.Remove("1.2.0");
        Assert.Equal(["1.0.0", "1.1.0"], installer.Status().Versions);
        Assert.Equal(["1.0.0", "1.1.0"], Directory.GetFileSystemEntries(dir["root/releases"]).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Readers_never_see_a_missing_link_while_it_switches()
    {
        using var dir = new TempDir();
        var installer = await InstalledAsync(dir, "1.0.0", "1.1.0");
        installer.Activate("1.0.0");
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var v = File.ReadAllText(dir["root/current/VERSION"]);
                    if (v is not ("1.0.0\n" or "1.1.0\n"))
                        Interlocked.Increment(ref failures);
                }
                catch (IOException)
                {
                    Interlocked.Increment(ref failures);
                }
                Interlocked.Increment(ref reads);
            }
        });
        for (var i = 0; i < 300; i++)
            installer.Activate(i % 2 == 0 ? "1.1.0" : "1.0.0");
        await stop.CancelAsync();
        await reader.WaitAsync(TestTimeout);
        Assert.True(reads > 0);
        Assert.Equal(0, failures);
    }
}
