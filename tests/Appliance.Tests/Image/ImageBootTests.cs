using System.Diagnostics;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.Image;

/// <summary>
/// Boots the appliance image under qemu (image/boot-test.sh all): one VM for READY, watchdog and
/// SSH maintenance, then two VMs that form a cluster. Takes many minutes under software emulation,
/// so it runs only with APPLIANCE_IMAGE_TEST=1 and as root; otherwise it is reported Skipped.
/// </summary>
public sealed class ImageBootTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(60);

    [ImageFact]
    public async Task ImageBootsServesSshAndTwoVmsFormACluster()
    {
        var script = Path.Combine(RepoRoot(), "image", "boot-test.sh");
        var psi = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("all");
        using var process = Process.Start(psi)!;
        var lines = new List<string>();
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (lines) lines.Add(e.Data);
            output.WriteLine(e.Data);
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Limit);
        }
        finally
        {
            // The script's own EXIT trap stops its VMs; a SIGKILL here would leave them running,
            // so ask it to end first.
            if (!process.HasExited)
            {
                Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
                if (!process.WaitForExit(TimeSpan.FromSeconds(30))) process.Kill(entireProcessTree: true);
            }
        }
        Assert.True(process.ExitCode == 0, $"boot-test.sh failed ({process.ExitCode}); its output is above");
        lock (lines) Assert.Contains(lines, l => l.Contains("PASS (all", StringComparison.Ordinal));
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "build.sh")) && Directory.Exists(Path.Combine(dir.FullName, "image")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no repository root (build.sh and image/) above {AppContext.BaseDirectory}");
    }
}
