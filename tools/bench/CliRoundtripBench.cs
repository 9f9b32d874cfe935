using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// `appliancectl --socket S status` as a real process against a real daemon (p50/p99 of 25 runs), and
/// the raw API round trip over the socket from this process (the floor for what the CLI adds).
/// </summary>
internal static class CliRoundtripBench
{
    private const int CliRuns = 25;
    private const int ApiRuns = 2000;

    public static async Task RunAsync()
    {
        using var daemon = DaemonProcess.Start();
        await daemon.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var processFloor = StartupBench.ProcessFloorMs();
        StartupBench.RunCtl("--socket", daemon.Socket, "status"); // warm the file cache
        var cli = Enumerable.Range(0, CliRuns).Select(_ => StartupBench.RunCtl("--socket", daemon.Socket, "status")).ToList();

        using var client = await ApiClient.ConnectAsync(daemon.Socket);
        for (var i = 0; i < 200; i++) await client.CallAsync("status");
        var api = new List<double>(ApiRuns);
        for (var i = 0; i < ApiRuns; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.CallAsync("status");
            api.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
        }
        // A fresh connection per request, as the CLI makes one.
        var connect = new List<double>(200);
        for (var i = 0; i < 200; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var c = await ApiClient.ConnectAsync(daemon.Socket);
            await c.CallAsync("status");
            connect.Add(Bench.Ms(start, Stopwatch.GetTimestamp()));
        }

        double P(List<double> v, double p) => Bench.Round(Bench.Percentile(v, p));
        Console.WriteLine($"appliancectl status ({CliRuns} runs): p50 {P(cli, 50)} ms, p99 {P(cli, 99)} ms; runtime floor (--help) {processFloor:0.0} ms");
        Console.WriteLine($"API status on one connection ({ApiRuns}): p50 {P(api, 50)} ms, p99 {P(api, 99)} ms; connect+status p50 {P(connect, 50)} ms");
        Bench.Report("cli-roundtrip", new JsonObject
        {
            ["p50_ms"] = P(cli, 50),
            ["p99_ms"] = P(cli, 99),
            ["floor_process_ms"] = Bench.Round(processFloor, 1),
            ["cli_vs_floor"] = Bench.Round(Bench.Percentile(cli, 50) / processFloor, 2),
            ["api_p50_ms"] = P(api, 50),
            ["api_p99_ms"] = P(api, 99),
            ["api_connect_p50_ms"] = P(connect, 50),
        });
    }
}
