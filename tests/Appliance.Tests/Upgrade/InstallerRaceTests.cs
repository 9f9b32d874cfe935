using System.Diagnostics;
using Appliance.Daemon.Upgrade;
using Appliance.Tests.Backup;
using Appliance.Tests.Support;
using static Appliance.Tests.Upgrade.PackageBuilder;

namespace Appliance.Tests.Upgrade;

/// <summary>
/// Issue 16, point 1: what is verified is what is installed. A path that serves different bytes to
/// each reader (a FIFO fed by an attacker, or a link swapped between reads) must never get an
/// unsigned package installed: the installer reads the package once, into a private copy.
/// </summary>
public sealed class InstallerRaceTests
{
    [Fact]
    public async Task A_fifo_serving_the_signed_package_then_another_installs_nothing()
    {
        using var dir = new TempDir();
        var (signed, signature) = await BuildAsync(dir, "2.0.0");
        var evil = await EvilPackageAsync(dir, "2.0.0");
        var fifo = dir["served.tar.gz"];
        await RunAsync("mkfifo", fifo);
        // The attacker's side, a process of its own: the signed bytes to the first two readers, the other package to the third.
        var feeder = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "for f in \"$@\"; do cat \"$f\" > \"$0\"; done", fifo, signed, signed, evil, evil } };
        using var feeding = Process.Start(feeder)!;
        var installer = new Installer(dir["root"]);
        try
        {
            var e = Assert.Throws<UpgradeException>(() => installer.Install(fifo, signature));
            Assert.Contains("not a regular file", e.Message);
            Assert.Contains("FIFO", e.Message);
        }
        finally
        {
            feeding.Kill(entireProcessTree: true);
        }
        Assert.Empty(installer.Status().Versions);
        Assert.False(File.Exists(dir["root/releases/2.0.0/app/evil"]), "the unsigned package was installed");
    }

    [Fact]
    public async Task A_symbolic_link_to_a_package_is_not_followed()
    {
        using var dir = new TempDir();
        var (signed, _) = await BuildAsync(dir, "2.0.0");
        var link = dir["link.tar.gz"];
        File.CreateSymbolicLink(link, signed);
        File.Copy(signed + ".sig", link + ".sig");

        var e = Assert.Throws<UpgradeException>(() => new Installer(dir["root"]).Install(link, link + ".sig"));

        Assert.Contains("symbolic link", e.Message);
    }

    [Fact]
    public async Task A_package_over_the_cap_is_cut_off_while_copying_and_leaves_nothing()
    {
        using var dir = new TempDir();
        var (signed, signature) = await BuildAsync(dir, "2.0.0");
        var installer = new Installer(dir["root"]);
        var size = new FileInfo(signed).Length;

        var e = Assert.Throws<UpgradeException>(() => installer.Install(signed, signature, maxBytes: size - 1));

        Assert.Contains($"larger than {size - 1} bytes", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir["root/releases"]));
        Assert.Equal("2.0.0", installer.Install(signed, signature, maxBytes: size).Version);
    }

    [Fact]
    public async Task The_status_answers_while_an_endless_package_is_read()
    {
        using var dir = new TempDir();
        var (_, signature) = await BuildAsync(dir, "2.0.0");
        var installer = new Installer(dir["root"]);
        await using var endless = new ZeroStream();
        var line = await File.ReadAllTextAsync(signature);
        var install = Task.Run(() => installer.InstallAsync(endless, line, 64L << 20, CancellationToken.None));
        await endless.FirstRead.Task.WaitAsync(TestTimeout);

        var watch = Stopwatch.StartNew();
        var status = await Task.Run(installer.Status).WaitAsync(TestTimeout);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"status took {watch.Elapsed}");
        Assert.Empty(status.Versions);
        var e = await Assert.ThrowsAsync<UpgradeException>(() => install.WaitAsync(TestTimeout));
        Assert.Contains("larger than", e.Message);
    }

    /// <summary>A package of the same version whose app holds a file the vendor never signed.</summary>
    private static async Task<string> EvilPackageAsync(TempDir dir, string version)
    {
        var src = dir["evil-src"];
        Directory.CreateDirectory(Path.Combine(src, "app"));
        await File.WriteAllTextAsync(Path.Combine(src, "VERSION"), version + "\n");
        await File.WriteAllTextAsync(Path.Combine(src, "app", "evil"), "#!/bin/sh\nid > /tmp/pwned\n");
        var package = dir["evil.tar.gz"];
        await RunAsync("tar", "czf", package, "-C", src, "VERSION", "app");
        return package;
    }
}
