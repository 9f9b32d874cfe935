using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// Start-to-ready of a real applianced (until the API answers `status`) and its idle RSS after 2 s.
/// Floor: the same runtime starting a trivial program (`dotnet appliancectl.dll --help`).
/// </summary>
internal static class StartupBench
{
    public static async Task RunAsync()
    {
        var floor = ProcessFloorMs();
        double ready, rss;
        using (var daemon = DaemonProcess.Start())
        {
            ready = await daemon.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(2000);
            rss = daemon.RssMb();
        }
        Console.WriteLine($"ready after {ready:0.0} ms (runtime floor: `dotnet appliancectl.dll --help` exits after {floor:0.0} ms, ratio {ready / floor:0.00})");
        Console.WriteLine($"idle RSS after 2 s: {rss:0.0} MiB");
        Bench.Report("startup", new JsonObject
        {
            ["ready_ms"] = Bench.Round(ready, 1),
            ["rss_mb"] = Bench.Round(rss, 1),
            ["floor_process_ms"] = Bench.Round(floor, 1),
            ["ready_vs_floor"] = Bench.Round(ready / floor, 2),
        });
    }

    /// <summary>Median of 3 runs of a process that starts the runtime and exits: what any .NET start costs here.</summary>
    public static double ProcessFloorMs() =>
        Bench.Percentile(Enumerable.Range(0, 3).Select(_ => RunCtl("--help")).ToList(), 50);

    /// <summary>Runs `dotnet appliancectl.dll ARGS` and returns its wall time; fails on a non-zero exit.</summary>
    public static double RunCtl(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Bench.BenchDll("appliancectl.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var start = Stopwatch.GetTimestamp();
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        var ms = Bench.Ms(start, Stopwatch.GetTimestamp());
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"appliancectl {string.Join(' ', args)} exited with {p.ExitCode}: {output.Result}{error.Result}");
        return ms;
    }
}
