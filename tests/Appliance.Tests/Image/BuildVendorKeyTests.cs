using System.Security.Cryptography;
using Appliance.Tests.Harness;
using Appliance.Tests.Support;

namespace Appliance.Tests.Image;

/// <summary>
/// What ships must not trust the TEST key by accident: `build.sh publish` and `build.sh image` refuse
/// to run without --vendor-key FILE.pub or an explicit --test-key, and refuse a private key, a key
/// that is not P-256, and the TEST key itself given as a vendor key, naming the file. Runs the real
/// scripts in a copy of the repository that holds only what they read before building, with the
/// package and image tools shadowed by ones that fail, so that a missing refusal cannot install
/// packages or debootstrap as root (and leave dpkg half-done when the test's time runs out).
/// </summary>
public sealed class BuildVendorKeyTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly string[] Blocked = ["apt-get", "dpkg", "dpkg-query", "debootstrap", "chroot", "mkfs.ext4"];
    private static readonly string[] Copied =
    [
        "build.sh", "tools/vendor-key.sh", "image/build-image.sh", "Directory.Build.props", "Directory.Packages.props",
        "daemon/Applianced/Applianced.csproj", "daemon/Applianced/DaemonGc.props", "daemon/Applianced/VendorKey.targets",
        "daemon/Applianced/Licensing/test-vendor-public.pem",
    ];

    private readonly TempDirectory _tree = new();

    public BuildVendorKeyTests()
    {
        var root = ImageBootTests.RepoRoot();
        foreach (var file in Copied.Where(f => File.Exists(Path.Combine(root, f))))
        {
            var target = _tree[file];
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(root, file), target);
        }
        Directory.CreateDirectory(_tree["blocked"]);
        foreach (var tool in Blocked)
        {
            File.WriteAllText(_tree[$"blocked/{tool}"], $"#!/bin/sh\necho '{tool}: blocked by BuildVendorKeyTests' >&2\nexit 1\n");
            File.SetUnixFileMode(_tree[$"blocked/{tool}"], (UnixFileMode)0b111_101_101);
        }
    }

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("publish")]
    [InlineData("image")]
    public async Task Without_a_vendor_key_a_build_that_ships_is_refused_before_it_builds_anything(string command)
    {
        var result = await BuildAsync(command);
        Assert.True(result.ExitCode != 0, $"build.sh {command} without a key exited 0:\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains("refused: no vendor key", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--vendor-key FILE.pub", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--test-key", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_tree["out"]), "the refused build made out/");
    }

    [Fact]
    public async Task A_private_key_a_P384_key_and_the_test_key_are_refused_as_vendor_keys_by_name()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var cases = new (string File, string Pem, string Why)[]
        {
            ("private.pem", p256.ExportPkcs8PrivateKeyPem(), "is a PRIVATE key"),
            ("p384.pub", p384.ExportSubjectPublicKeyInfoPem(), "is not an ECDSA P-256 public key"),
            ("test.pub", await File.ReadAllTextAsync(_tree["daemon/Applianced/Licensing/test-vendor-public.pem"]), "is the checked-in TEST key"),
        };
        foreach (var (file, pem, why) in cases)
        {
            var path = _tree[file];
            await File.WriteAllTextAsync(path, pem + "\n");
            var result = await BuildAsync("publish", "--vendor-key", path);
            Assert.True(result.ExitCode != 0, $"{file} was accepted:\n{result.Stdout}\n{result.Stderr}");
            Assert.Contains(path, result.Stderr, StringComparison.Ordinal);
            Assert.Contains(why, result.Stderr, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(_tree["out"]), "a refused build made out/");
    }

    private Task<CommandResult> BuildAsync(params string[] args) =>
        HostCommand.TryRunAsync("env", [$"PATH={_tree["blocked"]}:{Environment.GetEnvironmentVariable("PATH")}", "bash", _tree["build.sh"], .. args], timeout: Limit);
}
