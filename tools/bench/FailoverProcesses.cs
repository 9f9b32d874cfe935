using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Appliance.Bench;

/// <summary>
/// The failure cases an in-process peer cannot show, with two real applianced processes on
/// 127.0.0.104/105: a silent peer (SIGSTOP: sockets stay open, only the heartbeats stop), a killed
/// peer (SIGKILL: the kernel closes its sockets), and a restart of the killed one on its data dir.
/// </summary>
internal static class FailoverProcesses
{
    private static readonly string[] Addresses = ["127.0.0.104", "127.0.0.105"];

    public static async Task MeasureAsync(JsonObject figures)
    {
        using var dir = new TempDir();
        var ports = DaemonProcess.ClusterPorts();
        var procs = new DaemonProcess?[2];
        DaemonProcess StartPeer(int i) => DaemonProcess.Start(dir.Sub($"p{i + 1}"), ["--bind", Addresses[i], .. ports]);
        try
        {
            for (var i = 0; i < 2; i++) procs[i] = StartPeer(i);
            foreach (var p in procs) await p!.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await InProcessCluster.FormAsync(Addresses, (i, cmd, args) => CallAsync(procs[i]!, cmd, args));
            await WaitAsync(procs, 0, active: true);
            await WaitAsync(procs, 1, active: true);

            var t = Stopwatch.GetTimestamp();
            procs[1]!.Signal("STOP");
            await WaitAsync(procs, 0, active: false);
            figures["silent_detect_s"] = Seconds(t);
            Console.WriteLine($"SIGSTOP: peer 1 left Active after {figures["silent_detect_s"]} s; SIGCONT now");
            t = Stopwatch.GetTimestamp();
            procs[1]!.Signal("CONT");
            await WaitAsync(procs, 0, active: true);
            await WaitAsync(procs, 1, active: true);
            figures["silent_resume_s"] = Seconds(t);
            Console.WriteLine($"SIGCONT: both Active again after {figures["silent_resume_s"]} s; SIGKILL now");

            t = Stopwatch.GetTimestamp();
            procs[1]!.Signal("KILL");
            await WaitAsync(procs, 0, active: false);
            figures["kill_detect_s"] = Seconds(t);
            Console.WriteLine($"SIGKILL: peer 1 left Active after {figures["kill_detect_s"]} s; restarting peer 2");
            procs[1]!.Dispose();
            t = Stopwatch.GetTimestamp();
            procs[1] = StartPeer(1);
            await procs[1]!.WaitReadyAsync(TimeSpan.FromSeconds(60));
            await WaitAsync(procs, 0, active: true);
            await WaitAsync(procs, 1, active: true);
            figures["process_restart_active_s"] = Seconds(t);
            Console.WriteLine($"real processes: silent peer (SIGSTOP) found after {figures["silent_detect_s"]} s, Active again {figures["silent_resume_s"]} s after SIGCONT; " +
                $"SIGKILL found after {figures["kill_detect_s"]} s; restarted process Active after {figures["process_restart_active_s"]} s (runtime start included)");
        }
        finally
        {
            foreach (var p in procs) p?.Dispose();
        }
    }

    private static double Seconds(long from) => Bench.Round(Bench.Ms(from, Stopwatch.GetTimestamp()) / 1000, 3);

    private static async Task<JsonNode?> CallAsync(DaemonProcess p, string cmd, JsonObject args)
    {
        using var client = await ApiClient.ConnectAsync(p.Socket);
        return await client.CallAsync(cmd, args).WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Polls `cluster.show` of peer <paramref name="i"/> until the other peer's status is (or is no longer) Active.</summary>
    private static async Task WaitAsync(DaemonProcess?[] procs, int i, bool active)
    {
        var last = "";
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            var show = await CallAsync(procs[i]!, "cluster.show", new JsonObject());
            last = string.Join(", ", show!["peers"]!.AsArray().Select(p => $"{p!["address"]} {p["status"]}"));
            var other = show["peers"]!.AsArray().Single(p => p!["address"]!.GetValue<string>() == Addresses[1 - i])!;
            if (other["status"]!.GetValue<string>().StartsWith("Active", StringComparison.Ordinal) == active) return;
            await Task.Delay(10);
        }
        var otherSays = "";
        try
        {
            var show = await CallAsync(procs[1 - i]!, "cluster.show", new JsonObject());
            otherSays = string.Join(", ", show!["peers"]!.AsArray().Select(p => $"{p!["address"]} {p["status"]}"));
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException) { otherSays = e.Message; }
        throw new TimeoutException($"peer {i + 1} did not see peer {2 - i} {(active ? "Active" : "leave Active")} within 30 s " +
            $"(peer {i + 1} says: {last}; peer {2 - i} says: {otherSays})");
    }
}
