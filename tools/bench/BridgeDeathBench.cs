using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Sip;

namespace Appliance.Bench;

/// <summary>
/// Time from a bridge's death to the first call placed on another bridge (issue 21): one real peer,
/// two real bridgesims in one pool. The bridge new conferences go to is killed (SIGKILL); calls to
/// new aliases are placed back to back from that instant until one is answered with its conference on
/// the other bridge; the time is from the kill to that 200. Floor: the setup of one such call (a new
/// conference) while both bridges are up, in the same run. Several rounds, the dead bridge restarted between.
/// </summary>
internal static class BridgeDeathBench
{
    private const int Rounds = 4;

    public static async Task RunAsync()
    {
        var sipPort = Bench.FreePort();
        var trunk = new IPEndPoint(IPAddress.Parse("127.0.0.2"), sipPort);
        // The first has more free ports, so new conferences go there while it lives.
        CallSetupBench.Sim[] sims = [new("big", new(IPAddress.Parse("127.0.0.1"), Bench.FreePort()), Bench.FreePort()),
            new("small", new(IPAddress.Parse("127.0.0.1"), Bench.FreePort()), Bench.FreePort())];
        var big = CallSetupBench.StartSim(sims[0].Http, sims[0].Sip, 1000);
        using var small = CallSetupBench.StartSim(sims[1].Http, sims[1].Sip, 500);
        using var daemon = DaemonProcess.Start(null, "--sip-port", sipPort.ToString(CultureInfo.InvariantCulture));
        await daemon.WaitReadyAsync(TimeSpan.FromSeconds(60));
        using var api = await ApiClient.ConnectAsync(daemon.Socket);
        await CallSetupBench.ConfigureAsync(api, trunk.Address.ToString(), sims);
        await using var stack = new SipStack();
        var udp = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        stack.AddTransport(udp);
        var alias = 0;
        try
        {
            var times = new List<double>();
            var floors = new List<double>();
            var refused = new SortedDictionary<int, int>();
            for (var round = 0; round < Rounds; round++)
            {
                await WaitAllUsableAsync(api);
                var (ok, floor) = await CallSetupBench.TryCallAsync(stack, udp, trunk, $"bench.{++alias}");
                if (!ok.IsSuccess || await BridgeOf(api, alias) != "big")
                    throw new InvalidOperationException($"a new conference did not go to the bigger bridge: {ok.StatusCode} {await BridgeOf(api, alias)}");
                floors.Add(floor);
                big.Kill(entireProcessTree: true);
                var died = Stopwatch.GetTimestamp();
                big.WaitForExit();
                big.Dispose();
                while (true)
                {
                    var attempt = Stopwatch.GetTimestamp();
                    var (answer, ms) = await CallSetupBench.TryCallAsync(stack, udp, trunk, $"bench.{++alias}");
                    if (answer.IsSuccess && await BridgeOf(api, alias) == "small")
                    {
                        times.Add(Bench.Ms(died, attempt) + ms);
                        break;
                    }
                    refused[answer.StatusCode] = refused.GetValueOrDefault(answer.StatusCode) + 1;
                    if (Bench.Ms(died, Stopwatch.GetTimestamp()) > 120_000) throw new TimeoutException("no call placed on the other bridge within 120 s");
                    await Task.Delay(10);
                }
                big = CallSetupBench.StartSim(sims[0].Http, sims[0].Sip, 1000);
            }
            times.Sort();
            var (median, worst, floorMedian) = (Bench.Percentile(times, 50), times[^1], Bench.Percentile(floors, 50));
            Console.WriteLine($"bridge death -> first call placed on the other bridge: median {median:0} ms, worst {worst:0} ms over {Rounds} rounds "
                + $"(answered meanwhile: {string.Join(", ", refused.Select(r => $"{r.Value} x {r.Key}"))}); a new conference's call setup with both up: {floorMedian:0.0} ms");
            Bench.Report("bridge-death", new JsonObject
            {
                ["rounds"] = Rounds,
                ["median_ms"] = Bench.Round(median, 1),
                ["worst_ms"] = Bench.Round(worst, 1),
                ["times_ms"] = new JsonArray([.. times.Select(t => (JsonNode?)Bench.Round(t, 1))]),
                ["answers_meanwhile"] = new JsonObject([.. refused.Select(r => KeyValuePair.Create($"{r.Key}", (JsonNode?)r.Value))]),
                ["floor_setup_ms"] = Bench.Round(floorMedian, 2),
                ["median_vs_floor"] = Bench.Round(median / floorMedian, 1),
            });
        }
        finally
        {
            if (!big.HasExited) big.Kill(entireProcessTree: true);
            big.Dispose();
            if (!small.HasExited) small.Kill(entireProcessTree: true);
        }
    }

    private static async Task<string?> BridgeOf(ApiClient api, int alias) =>
        (string?)(await api.CallAsync("conferences.show"))!["conferences"]!.AsArray().OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["name"] == $"bench-{alias}")?["bridge"];

    private static async Task WaitAllUsableAsync(ApiClient api)
    {
        var sw = Stopwatch.StartNew();
        while ((await api.CallAsync("bridges.status"))!["bridges"]!.AsArray().Any(r => (string?)r!["state"] != "usable"))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException("both bridges were not usable within 120 s");
            await Task.Delay(50);
        }
    }
}
