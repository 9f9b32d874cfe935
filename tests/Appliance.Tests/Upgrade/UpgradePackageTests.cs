using System.Formats.Tar;
using Appliance.Daemon.Upgrade;
using Appliance.Tests.Backup;
using Appliance.Tests.Licensing;
using static Appliance.Tests.Upgrade.PackageBuilder;

namespace Appliance.Tests.Upgrade;

public class UpgradePackageTests
{
    [Fact]
    public async Task Signed_package_verifies()
    {
        using var dir = new TempDir();
        var (pkg, sig) = await BuildAsync(dir, "1.2.0");
        Assert.Equal(pkg + ".sig", sig);
        var info = UpgradePackage.Verify(pkg, sig);
        Assert.Equal(("1.2.0", 2), (info.Version, info.FileCount));
    }

    [Fact]
    public async Task Package_signed_by_another_key_is_refused()
    {
        using var dir = new TempDir();
        using var stranger = TestVendorKey.Stranger();
        var (pkg, sig) = await BuildAsync(dir, "1.2.0", stranger);
        var e = Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(pkg, sig));
        Assert.Equal(UpgradeError.BadSignature, e.Error);
        Assert.Contains("bad signature", e.Message);
    }

    [Fact]
    public async Task Package_altered_after_signing_is_refused()
    {
        using var dir = new TempDir();
        var (pkg, sig) = await BuildAsync(dir, "1.2.0");
        await File.AppendAllTextAsync(pkg, "x").WaitAsync(TestTimeout);
        Assert.Equal(UpgradeError.BadSignature, Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(pkg, sig)).Error);
    }

    [Fact]
    public async Task Missing_or_malformed_signature_file_is_named()
    {
        using var dir = new TempDir();
        var (pkg, sig) = await BuildAsync(dir, "1.2.0");
        Assert.Contains("does not exist", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(pkg, sig + ".nope")).Message);
        await File.WriteAllTextAsync(sig, "hello").WaitAsync(TestTimeout);
        Assert.Contains("is not one line", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(pkg, sig)).Message);
    }

    [Fact]
    public void Entry_escaping_the_package_is_refused()
    {
        using var dir = new TempDir();
        var (pkg, sig) = BuildRaw(dir, "evil.tar.gz", Entry("VERSION", "9.9"), Entry("app/../../etc/evil", "x"));
        var e = Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(pkg, sig));
        Assert.Equal(UpgradeError.InvalidPackage, e.Error);
        Assert.Contains("'..'", e.Message);
    }

    [Fact]
    public void Symbolic_link_entry_is_refused()
    {
        using var dir = new TempDir();
        var link = new PaxTarEntry(TarEntryType.SymbolicLink, "app/passwd") { LinkName = "/etc/passwd" };
        var (pkg, sig) = BuildRaw(dir, "link.tar.gz", Entry("VERSION", "9.9"), Entry("app/x", "x"), link);
        Assert.Contains("SymbolicLink", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(pkg, sig)).Message);
    }

    [Fact]
    public void Package_without_version_or_app_is_refused()
    {
        using var dir = new TempDir();
        var (noVersion, sig1) = BuildRaw(dir, "a.tar.gz", Entry("app/x", "x"));
        Assert.Contains("no VERSION", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(noVersion, sig1)).Message);
        var (noApp, sig2) = BuildRaw(dir, "b.tar.gz", Entry("VERSION", "1.0"));
        Assert.Contains("no files under app/", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(noApp, sig2)).Message);
        var (badVersion, sig3) = BuildRaw(dir, "c.tar.gz", Entry("VERSION", "../1"), Entry("app/x", "x"));
        Assert.Contains("VERSION \"../1\"", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(badVersion, sig3)).Message);
        var (other, sig4) = BuildRaw(dir, "d.tar.gz", Entry("VERSION", "1.0"), Entry("app/x", "x"), Entry("etc/x", "x"));
        Assert.Contains("unexpected entry \"etc/x\"", Assert.Throws<UpgradeException>(() => UpgradePackage.Verify(other, sig4)).Message);
    }
}
