using Appliance.Ctl;
using Appliance.Tests.Harness;
using Appliance.Tests.Support;

namespace Appliance.Tests.Ctl;

/// <summary>`appliancectl --man` (what build.sh installs as appliancectl.1) renders with man -l and
/// says what the command table accepts.</summary>
public class CtlManPageTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 120_000)]
    public async Task ManPage_FromTheCommandTable_RendersWithManWithoutWarnings()
    {
        using var dir = new TempDirectory();
        var roff = await HostCommand.TryRunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "appliancectl.dll"), "--man"], timeout: T);
        Assert.True(roff.ExitCode == 0, $"--man: exit {roff.ExitCode}: {roff.Stderr}");
        var page = dir["appliancectl.1"];
        await File.WriteAllTextAsync(page, roff.Stdout);

        var man = await HostCommand.TryRunAsync("env", ["MANWIDTH=80", "man", "-l", page], timeout: T);
        var lint = await HostCommand.TryRunAsync("groff", ["-man", "-ww", "-z", page], timeout: T);

        Assert.True(man.ExitCode == 0, $"man -l: exit {man.ExitCode}: {man.Stderr}");
        Assert.True(lint.ExitCode == 0 && lint.Stderr.Length == 0, $"groff warnings: {lint.Stderr}");
        var text = man.Stdout;
        var flowing = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        Assert.Contains("APPLIANCECTL(1)", text, StringComparison.Ordinal);
        foreach (var spec in Commands.All)
            Assert.Contains(spec.Usage, flowing, StringComparison.Ordinal);
        Assert.Contains("Example: config set ntp.servers", text, StringComparison.Ordinal);
        Assert.Contains("show config", text, StringComparison.Ordinal);
        Assert.Contains("EXIT STATUS", text, StringComparison.Ordinal);
        Assert.Contains("2 rejected", text, StringComparison.Ordinal);
        Assert.All(text.Split('\n'), l => Assert.True(l.Length <= 80, l));
    }
}
