using System.Security.Cryptography;
using Appliance.Ctl;
using Appliance.Daemon.Licensing;
using Appliance.Tests.Backup;
using Appliance.Tests.Harness;
using Appliance.Tests.Support;
using Appliance.Tests.Upgrade;
using Xunit.Abstractions;
using Eventually = Appliance.Tests.Support.Eventually;

namespace Appliance.Tests.Licensing;

/// <summary>
/// Trust roots (issue 16, point 10): a daemon built with another vendor key trusts that key and no
/// other. The TEST key, whose private half is in the repository, signs nothing it accepts; its own
/// key does. Real processes throughout: the other build, the CLI, tar, the upgrade restart.
/// </summary>
public sealed class OtherVendorKeyDaemonTests(OtherVendorKeyBuild build, ITestOutputHelper output) : IClassFixture<OtherVendorKeyBuild>
{
    private const string Serial = "VKEY-0001";
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task Says_which_key_it_trusts_before_and_after_it_starts()
    {
        var said = await HostCommand.RunAsync("dotnet", [build.Dll, "--show-vendor-key"]);
        Assert.Equal(build.Description, said.Trim());
        Assert.DoesNotContain("TEST", said, StringComparison.Ordinal);

        await using var daemon = Start(build.NewDirectory());
        await daemon.StartAsync();
        Assert.Equal(build.Description, (string?)(await daemon.Api("status"))["vendorKey"]);
        Assert.Equal(build.Description, (string?)(await daemon.Api("licence.show"))["vendorKey"]);
        var (code, text, _) = await Ctl(daemon, "", "licence", "show");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains(build.Description, text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Refuses_a_licence_signed_with_the_test_key_and_accepts_one_signed_with_its_own()
    {
        await using var daemon = Start(build.NewDirectory());
        await daemon.StartAsync();

        var forged = TestVendorKey.Issuer().IssueRelease(Serial, LicenceEdition.Full);
        var (code, _, error) = await Ctl(daemon, forged + "\n", "licence", "add", "-");
        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Contains("signature", error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Essentials", (string?)(await daemon.Api("licence.show"))["edition"]);

        using var own = ECDsa.Create(build.Key.ExportParameters(includePrivateParameters: true));
        var genuine = new LicenceIssuer(own).IssueRelease(Serial, LicenceEdition.Full);
        (code, _, error) = await Ctl(daemon, genuine + "\n", "licence", "add", "-");
        Assert.True(code == ExitCodes.Ok, error);
        Assert.Equal("Full", (string?)(await daemon.Api("licence.show"))["edition"]);
    }

    [Fact(Timeout = 180_000)]
    public async Task Refuses_an_upgrade_signed_with_the_test_key_and_installs_one_signed_with_its_own()
    {
        var dir = build.NewDirectory();
        var root = Path.Combine(dir, "opt");
        await using var daemon = Start(dir, "--install-root", root, "--upgrade-ready-seconds", "60");
        await daemon.StartAsync();
        var running = (string?)(await daemon.Api("status"))["version"];

        // Version 2.0.0 is this same build again, so the restart into it comes up and confirms.
        var script = $"#!/bin/sh\nexec dotnet {build.Dll} \"$@\" --report-version 2.0.0\n";
        using var packages = new TempDir();
        var (forged, _) = await PackageBuilder.BuildAsync(packages, "2.0.0", signer: null, program: script); // the TEST key
        var (code, _, error) = await Ctl(daemon, "", "upgrade", forged, "--yes");
        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Contains("signature", error, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(Path.Combine(root, "releases", "2.0.0")), "a refused package left a release behind");
        Assert.Equal(running, (string?)(await daemon.Api("status"))["version"]);

        using var ownPackages = new TempDir();
        var (genuine, _) = await PackageBuilder.BuildAsync(ownPackages, "2.0.0", build.Key, script);
        try
        {
            var (ok, text, err) = await Ctl(daemon, "", "upgrade", genuine, "--yes");
            Assert.True(ok == ExitCodes.Ok, err);
            Assert.Contains("2.0.0", text, StringComparison.Ordinal);
            await Eventually.WaitUntil(async () => (string?)(await daemon.Api("status"))["version"] == "2.0.0", T,
                "the daemon restarted into the upgrade signed with its own key");
            Assert.Equal(build.Description, (string?)(await daemon.Api("status"))["vendorKey"]);
        }
        finally
        {
            // A failed upgrade's watchdog starts a daemon of its own: end whatever runs from this directory.
            await daemon.DisposeAsync();
            Maintenance.UpgradeProcessTests.KillStartedFrom(dir);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Refuses_the_test_fault_switch()
    {
        await using var daemon = Start(build.NewDirectory(), "--test-faults");
        daemon.Launch();
        Assert.Equal(1, await daemon.WaitForExitAsync(T));
        Assert.Contains("--test-faults (testFaults) is refused: this build trusts a production vendor key", daemon.Output);
    }

    private DaemonProcess Start(string dir, params string[] extra) =>
        new(Path.Combine(dir, "data"), Path.Combine(dir, "api.sock"), extraArgs: ["--serial", Serial, .. extra])
        {
            Program = build.Dll,
            Log = output.WriteLine,
        };

    private static async Task<(int Code, string Out, string Err)> Ctl(DaemonProcess daemon, string stdin, params string[] args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var code = await Cli.RunAsync(["--socket", daemon.SocketPath, .. args], new StringReader(stdin), stdout, stderr).WaitAsync(T);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
