using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Licensing;
using Appliance.Sip;

namespace Appliance.Bench;

/// <summary>
/// Call setup through the B2BUA (issue 21): INVITE sent to a peer's trunk until its 200 OK arrives,
/// with placement (a join of a live conference), leg B to a real bridgesim and its 200 relayed back;
/// each call is then ACKed and hung up before the next. Floor: the same INVITE to the bridgesim's
/// SIP port directly, in the same run, so the difference is what the peer adds.
/// </summary>
internal static class CallSetupBench
{
    private const int Calls = 200;
    private const int WarmUpCalls = 30;
    private const string Offer = "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";

    public static async Task RunAsync()
    {
        var simHttp = Bench.FreePort();
        var sipPort = Bench.FreePort();
        var simSip = new IPEndPoint(IPAddress.Parse("127.0.0.1"), Bench.FreePort());
        var trunk = new IPEndPoint(IPAddress.Parse("127.0.0.2"), sipPort);
        using var sim = StartSim(simHttp, simSip);
        using var daemon = DaemonProcess.Start(null, "--sip-port", sipPort.ToString(CultureInfo.InvariantCulture));
        await daemon.WaitReadyAsync(TimeSpan.FromSeconds(60));
        using var api = await ApiClient.ConnectAsync(daemon.Socket);
        await ConfigureAsync(api, trunk.Address.ToString(), [new("sim", simSip, simHttp)]);
        await WaitPlaceableAsync(api, "bench.1");
        await using var stack = new SipStack();
        var udp = SipUdpTransport.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
        stack.AddTransport(udp);
        try
        {
            // The first call creates the conference; the measured ones join it, as most calls do.
            for (var i = 0; i < WarmUpCalls; i++) await CallAsync(stack, udp, trunk, "bench.1");
            for (var i = 0; i < WarmUpCalls; i++) await CallAsync(stack, udp, simSip, "bench-1");
            var through = new List<double>();
            var direct = new List<double>();
            for (var i = 0; i < Calls; i++)
            {
                through.Add(await CallAsync(stack, udp, trunk, "bench.1"));
                direct.Add(await CallAsync(stack, udp, simSip, "bench-1"));
            }
            // What placement alone costs (the same decision, asked over the API: a round trip on top).
            var place = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                await api.CallAsync("conferences.place", new JsonObject { ["alias"] = "bench.1" });
                place.Add(Bench.Ms(t0, Stopwatch.GetTimestamp()));
            }
            var (p50, p99) = (Bench.Percentile(through, 50), Bench.Percentile(through, 99));
            var (f50, f99) = (Bench.Percentile(direct, 50), Bench.Percentile(direct, 99));
            Console.WriteLine($"INVITE -> 200 OK through the B2BUA: p50 {p50:0.00} ms, p99 {p99:0.00} ms over {Calls} calls; "
                + $"straight to the bridgesim: p50 {f50:0.00} ms, p99 {f99:0.00} ms; the peer adds {p50 - f50:0.00} ms at p50 "
                + $"(conferences place over the API: p50 {Bench.Percentile(place, 50):0.00} ms)");
            Bench.Report("call-setup", new JsonObject
            {
                ["calls"] = Calls,
                ["p50_ms"] = Bench.Round(p50, 2),
                ["p99_ms"] = Bench.Round(p99, 2),
                ["floor_p50_ms"] = Bench.Round(f50, 2),
                ["floor_p99_ms"] = Bench.Round(f99, 2),
                ["added_p50_ms"] = Bench.Round(p50 - f50, 2),
                ["p50_vs_floor"] = Bench.Round(p50 / f50, 2),
                ["place_api_p50_ms"] = Bench.Round(Bench.Percentile(place, 50), 2),
            });
        }
        finally
        {
            if (!sim.HasExited) sim.Kill(entireProcessTree: true);
        }
    }

    /// <summary>One call: INVITE until its 200 (the figure), then ACK and BYE (awaited, not timed).</summary>
    internal static async Task<double> CallAsync(SipStack stack, ISipTransport udp, IPEndPoint to, string user)
    {
        var (status, ms) = await TryCallAsync(stack, udp, to, user);
        return status.IsSuccess ? ms
            : throw new InvalidOperationException($"{user} at {to}: {status.StatusCode} {status.ReasonPhrase} {status.Headers[SipHeaderNames.Reason]}");
    }

    /// <summary>One call and the time to its final response; a 2xx is ACKed and hung up (BYE awaited, not timed).</summary>
    internal static async Task<(SipResponse Final, double Ms)> TryCallAsync(SipStack stack, ISipTransport udp, IPEndPoint to, string user)
    {
        var uri = new SipUri(to.Address.ToString(), to.Port, user);
        var local = udp.LocalEndPoint;
        var invite = SipBuild.Request(SipMethods.Invite, uri, SipNameAddress.Parse($"<sip:bench@{local.Address}>"), new SipNameAddress(uri.Clone()),
            SipIds.NewCallId(local.Address.ToString()), 1, new SipNameAddress(SipTarget.Contact("bench", udp)));
        invite.Headers.Add(SipHeaderNames.ContentType, "application/sdp");
        invite.Body = Encoding.UTF8.GetBytes(Offer);
        var start = Stopwatch.GetTimestamp();
        var t = stack.SendRequest(invite, udp, to);
        var ok = await t.Final.WaitAsync(TimeSpan.FromSeconds(30));
        var elapsed = Bench.Ms(start, Stopwatch.GetTimestamp());
        if (!ok.IsSuccess) return (ok, elapsed);
        var dialog = SipDialog.AsUac(invite, ok);
        var target = SipTarget.Resolve(dialog.RemoteTarget, new SipEndPoint(udp, to));
        await stack.SendAckAsync(dialog.CreateRequest(SipMethods.Ack, 1), target.Transport, target.Remote);
        var bye = await stack.SendRequest(dialog.CreateRequest(SipMethods.Bye), target.Transport, target.Remote).Final.WaitAsync(TimeSpan.FromSeconds(30));
        if (!bye.IsSuccess) throw new InvalidOperationException($"BYE to {user} at {to}: {bye.StatusCode} {bye.ReasonPhrase}");
        return (ok, elapsed);
    }

    /// <summary>A bridgesim as the bench configures it: its SIP side at <c>Sip</c>, XML-RPC on the same address at <c>Http</c>.</summary>
    internal sealed record Sim(string Name, IPEndPoint Sip, int Http);

    /// <summary>Location bench at <paramref name="rendezvous"/>, the bridges in one pool (in this order), bench.N to bench-N, a licence.</summary>
    internal static async Task ConfigureAsync(ApiClient api, string rendezvous, IReadOnlyList<Sim> sims)
    {
        async Task Add(string section, string name, params (string, string)[] fields)
        {
            var f = new JsonObject();
            foreach (var (k, v) in fields) f[k] = v;
            await api.CallAsync("config.add", new JsonObject { ["section"] = section, ["name"] = name, ["fields"] = f });
        }
        await Add("locations", "bench");
        await Add("location-addresses", "bench", ("rendezvous", rendezvous));
        foreach (var sim in sims)
            await Add("bridges", sim.Name, ("address", $"{sim.Sip.Address}"), ("protocol", "http"), ("port", $"{sim.Http}"), ("sipPort", $"{sim.Sip.Port}"), ("sipTransport", "udp"));
        await Add("bridge-pools", "bench", ("bridges", string.Join(',', sims.Select(s => s.Name))));
        await Add("service-preferences", "bench", ("pools", "bench"));
        await Add("templates", "bench", ("preference", "bench"), ("lingerSeconds", "3600"));
        await Add("conference-aliases", "bench", ("pattern", @"bench\.(\d+)"), ("conference", "bench-$1"), ("priority", "1"), ("template", "bench"));
        var serial = (await api.CallAsync("licence.show"))!["serial"]!.GetValue<string>();
        var key = new LicenceIssuer(VendorKey.LoadPemFile(BenchLicences.TestKeyPath())).IssueOption(serial, 0, 1000);
        await api.CallAsync("licence.add", new JsonObject { ["key"] = key });
    }

    /// <summary>Until a call to <paramref name="alias"/> would create its conference (a bridge is usable).</summary>
    internal static async Task WaitPlaceableAsync(ApiClient api, string alias)
    {
        var sw = Stopwatch.StartNew();
        while ((string?)(await api.CallAsync("conferences.place", new JsonObject { ["alias"] = alias }))!["outcome"] != "create")
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the bridgesim was not usable for placement within 60 s");
            await Task.Delay(50);
        }
    }

    /// <summary>A bridgesim with HTTP on <paramref name="sip"/>'s address at <paramref name="http"/> and <paramref name="ports"/> ports.</summary>
    internal static Process StartSim(int http, IPEndPoint sip, int ports = 1000)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Bench.BenchDll("bridgesim.dll"), "--http", $"{sip.Address}:{http}", "--sip", sip.ToString(), "--ports", $"{ports}" })
            info.ArgumentList.Add(a);
        var p = Process.Start(info) ?? throw new InvalidOperationException("could not start bridgesim");
        var line = p.StandardOutput.ReadLine();
        if (line?.StartsWith("bridgesim: listening", StringComparison.Ordinal) != true)
            throw new InvalidOperationException($"bridgesim did not start: {line} {p.StandardError.ReadToEnd()}");
        return p;
    }
}
