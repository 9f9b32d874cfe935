using Appliance.Ctl;
using Appliance.Tests.Harness;
using Appliance.Tests.Support;

namespace Appliance.Tests.Ctl;

/// <summary>
/// The exit-code scheme of README "Exit codes" (1 usage, 2 refused, 3 unreachable, 4 internal),
/// checked on the three built tools run as processes with bad input, the way scripts meet them.
/// </summary>
public class ToolExitCodeTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);
    private static string Dll(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

    private static Task<CommandResult> Run(string tool, params string[] args) =>
        HostCommand.TryRunAsync("dotnet", [Dll(tool), .. args], stdin: "", timeout: T);

    [Fact(Timeout = 120_000)]
    public async Task Keytool_UsesTheScheme()
    {
        using var dir = new TempDirectory();
        var unknown = await Run("keytool", "frobnicate");
        var badOption = await Run("keytool", "issue-release", "--serial", "S1", "--colour", "red");
        var missingKeyFile = await Run("keytool", "issue-release", "--serial", "S1", "--edition", "full", "--key", dir["none.pem"]);
        var badLicence = await Run("keytool", "verify-licence", "not-a-licence-key", "--serial", "S1");
        await File.WriteAllTextAsync(dir["pkg.tar.gz"], "not a package");
        await File.WriteAllTextAsync(dir["pkg.tar.gz.sig"], "not a signature");
        var badSignature = await Run("keytool", "verify-package", dir["pkg.tar.gz"]);

        Assert.True(unknown.ExitCode == ExitCodes.Usage, $"unknown command: {unknown.ExitCode} {unknown.Stderr}");
        Assert.True(badOption.ExitCode == ExitCodes.Usage, $"unknown option: {badOption.ExitCode} {badOption.Stderr}");
        Assert.True(missingKeyFile.ExitCode == ExitCodes.Usage, $"missing --key file: {missingKeyFile.ExitCode} {missingKeyFile.Stderr}");
        Assert.Contains("none.pem", missingKeyFile.Stderr, StringComparison.Ordinal);
        Assert.True(badLicence.ExitCode == ExitCodes.Rejected, $"bad licence: {badLicence.ExitCode} {badLicence.Stderr}");
        Assert.True(badSignature.ExitCode == ExitCodes.Rejected, $"bad signature: {badSignature.ExitCode} {badSignature.Stderr}");
    }

    [Fact(Timeout = 120_000)]
    public async Task Appliancectl_UsesTheScheme()
    {
        using var dir = new TempDirectory();
        var unknown = await Run("appliancectl", "--socket", dir["api.sock"], "frobnicate");
        var unreachable = await Run("appliancectl", "--socket", dir["api.sock"], "status");

        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Equal(ExitCodes.Unreachable, unreachable.ExitCode);
        Assert.Contains(dir["api.sock"], unreachable.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task EveryTool_SaysItsVersion_TheSameOne()
    {
        var daemon = await Run("applianced", "--version");
        var ctl = await Run("appliancectl", "--version");
        var keytool = await Run("keytool", "--version");

        Assert.True(daemon.ExitCode == 0, daemon.Stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+", daemon.Stdout);
        Assert.True(ctl.ExitCode == 0, ctl.Stderr);
        Assert.Equal(daemon.Stdout, ctl.Stdout);
        Assert.True(keytool.ExitCode == 0, keytool.Stderr);
        Assert.Equal(daemon.Stdout, keytool.Stdout);
    }
}
