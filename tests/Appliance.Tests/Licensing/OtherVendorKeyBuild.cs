using System.Security.Cryptography;
using Appliance.Tests.Harness;
using Appliance.Tests.Image;
using Appliance.Tests.Support;

namespace Appliance.Tests.Licensing;

/// <summary>
/// The daemon built once more the way a production build is, with a vendor key pair made here:
/// `dotnet build -p:VendorKeyFile=vendor-public.pem` into its own artifacts directory, so the tests'
/// own build (which trusts the TEST key) is left alone. Built once per test class (about 20-60 s).
/// </summary>
public sealed class OtherVendorKeyBuild : IDisposable
{
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(5);
    private readonly TempDirectory _dir = new();

    public OtherVendorKeyBuild()
    {
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PublicKeyFile = _dir["vendor-public.pem"];
        File.WriteAllText(PublicKeyFile, Key.ExportSubjectPublicKeyInfoPem() + "\n");
        var project = Path.Combine(ImageBootTests.RepoRoot(), "daemon", "Applianced", "Applianced.csproj");
        var artifacts = _dir["artifacts"];
        var build = HostCommand.TryRunAsync("dotnet", ["build", project, "-c", "Release", $"-p:VendorKeyFile={PublicKeyFile}",
            "--artifacts-path", artifacts, "-v", "quiet", "-nologo", "-clp:NoSummary"], timeout: BuildLimit).GetAwaiter().GetResult();
        Assert.True(build.ExitCode == 0, $"{build.CommandLine}: exit {build.ExitCode}\n{build.Stdout}\n{build.Stderr}");
        Dll = Path.Combine(artifacts, "bin", "Applianced", "release", "applianced.dll");
        Assert.True(File.Exists(Dll), $"the build made no {Dll}");
    }

    /// <summary>The vendor key pair of this build; its private half signs what the build must accept.</summary>
    public ECDsa Key { get; }

    public string PublicKeyFile { get; }

    /// <summary>applianced.dll of this build, for <see cref="DaemonProcess.Program"/>.</summary>
    public string Dll { get; }

    /// <summary>What status and licence show of this build must say: SHA-256 of the key's DER, as `openssl pkey -pubin -outform DER | sha256sum` gives it.</summary>
    public string Description => $"production, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(Key.ExportSubjectPublicKeyInfo()))}";

    /// <summary>A directory for one test, inside this build's own (removed with it).</summary>
    public string NewDirectory()
    {
        var dir = _dir[Guid.NewGuid().ToString("N")[..8]];
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        Key.Dispose();
        _dir.Dispose();
    }
}
