using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Sip;

namespace Appliance.Bench;

/// <summary>
/// Calls set up per second on one peer (issue 21): <see cref="Workers"/> callers each place calls
/// back to back through a real peer's B2BUA to a real bridgesim (INVITE, 200, ACK, BYE, 200; every
/// call joins one live conference), for <see cref="Calls"/> calls in all. Floor: the same callers
/// straight to the bridgesim's SIP port, in the same run: the ratio is what the peer costs in throughput.
/// </summary>
internal static class CallRateBench
{
    private const int Calls = 400;
    private const int Workers = 8;

    public static async Task RunAsync()
    {
        var sipPort = Bench.FreePort();
        var simSip = new IPEndPoint(IPAddress.Parse("127.0.0.1"), Bench.FreePort());
        var simHttp = Bench.FreePort();
        var trunk = new IPEndPoint(IPAddress.Parse("127.0.0.2"), sipPort);
        using var sim = CallSetupBench.StartSim(simHttp, simSip);
        using var daemon = DaemonProcess.Start(null, "--sip-port", sipPort.ToString(CultureInfo.InvariantCulture));
        await daemon.WaitReadyAsync(TimeSpan.FromSeconds(60));
        using var api = await ApiClient.ConnectAsync(daemon.Socket);
        await CallSetupBench.ConfigureAsync(api, trunk.Address.ToString(), [new("sim", simSip, simHttp)]);
        await CallSetupBench.WaitPlaceableAsync(api, "bench.1");
        await using var stack = new SipStack();
        var udp = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        stack.AddTransport(udp);
        try
        {
            await RateAsync(stack, udp, trunk, "bench.1", Workers * 5);
            await RateAsync(stack, udp, simSip, "bench-1", Workers * 5);
            var through = await RateAsync(stack, udp, trunk, "bench.1", Calls);
            var direct = await RateAsync(stack, udp, simSip, "bench-1", Calls);
            var left = (await api.CallAsync("calls.show"))!["calls"]!.AsArray().Count;
            Console.WriteLine($"calls set up and torn down per second, {Workers} callers, {Calls} calls: through one peer {through:0.0}/s, "
                + $"straight to the bridgesim {direct:0.0}/s ({through / direct:0.00} of the floor); calls left on the peer: {left}");
            Bench.Report("call-rate", new JsonObject
            {
                ["calls"] = Calls,
                ["workers"] = Workers,
                ["calls_per_s"] = Bench.Round(through, 1),
                ["floor_calls_per_s"] = Bench.Round(direct, 1),
                ["rate_vs_floor"] = Bench.Round(through / direct, 3),
                ["calls_left"] = left,
            });
        }
        finally
        {
            if (!sim.HasExited) sim.Kill(entireProcessTree: true);
        }
    }

    /// <summary><paramref name="calls"/> calls spread over the workers; calls per second of wall time.</summary>
    private static async Task<double> RateAsync(SipStack stack, ISipTransport udp, IPEndPoint to, string user, int calls)
    {
        var next = 0;
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= calls) await CallSetupBench.CallAsync(stack, udp, to, user);
        }));
        return calls / (Bench.Ms(start, Stopwatch.GetTimestamp()) / 1000);
    }
}
