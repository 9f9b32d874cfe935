using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Appliance.Tests.Support;

namespace Appliance.Tests.Sip;

/// <summary>
/// The real kamailio (Debian's) as the call processor, in its own temp directory, optionally in a
/// network namespace: its dispatcher set 1 lists <c>destinations</c> (host:port) and pings them with
/// OPTIONS every second; <see cref="States"/> reads the dispatcher's view over kamcmd. Disposing kills it.
/// </summary>
internal sealed partial class KamailioProcess : IDisposable
{
    public const string Program = "/usr/sbin/kamailio";
    public const string Kamcmd = "/usr/sbin/kamcmd";
    private const string Modules = "/usr/lib/x86_64-linux-gnu/kamailio/modules";

    /// <summary>Answers every request 404: only the dispatcher's pings matter.</summary>
    public const string PingOnly = """sl_send_reply("404", "Not here");""";

    /// <summary>
    /// A transaction-stateful dispatcher proxy: a CANCEL or hop-by-hop ACK follows its transaction, any other
    /// new request goes to the next active destination (round robin), and a destination that times
    /// out or answers 503 is marked down and the next one tried. No Record-Route: in-dialog requests
    /// go straight to the peer that answered, as kamailio deployments in front of a conferencing cluster do.
    /// </summary>
    public const string Dispatch = """
        if ($rm == "CANCEL" || $rm == "ACK") {
            if (t_check_trans()) t_relay();
            exit;
        }
        if (!ds_select_dst("1", "4")) {
            sl_send_reply("503", "No peer up");
            exit;
        }
        # A loaded peer may take seconds to send its 100 Trying; the pings keep the 1 s timeout.
        t_set_fr(120000, 5000);
        t_on_failure("NEXT_PEER");
        if (!t_relay()) sl_reply_error();
        }
        failure_route[NEXT_PEER] {
            if (t_is_canceled()) exit;
            if (t_check_status("503") || (t_branch_timeout() && !t_branch_replied())) {
                ds_mark_dst("ip");
                if (ds_next_dst()) {
                    t_on_failure("NEXT_PEER");
                    t_relay();
                }
            }
        """;

    private readonly TempDirectory _dir = new();
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    public KamailioProcess(string listen, IEnumerable<string> destinations, string route, string? ns = null)
    {
        Listen = listen;
        Ctl = _dir["kamailio_ctl"];
        // All start inactive (flags 1): only a 200 to kamailio's OPTIONS makes a destination active.
        File.WriteAllText(_dir["dispatcher.list"], string.Concat(destinations.Select(d => $"1 sip:{d} 1 0\n")));
        File.WriteAllText(_dir["kamailio.cfg"], Config(listen, _dir["dispatcher.list"], Ctl, route));
        string[] args = ["-f", _dir["kamailio.cfg"], "-DD", "-E", "-Y", _dir.Path, "-w", _dir.Path];
        var start = new ProcessStartInfo(ns is null ? Program : "ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in ns is null ? args : ["netns", "exec", ns, Program, .. args]) start.ArgumentList.Add(a);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Listen { get; }
    public string Ctl { get; }
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>
    /// One UDP listener, the dispatcher pinging set 1 every second (probing mode 1: every
    /// destination, so they go active without traffic), one failed ping makes a destination
    /// inactive, and the transaction timeout is 1 s so a dead destination fails fast.
    /// </summary>
    private static string Config(string listen, string list, string ctl, string route) => $$"""
        #!KAMAILIO
        debug=2
        log_stderror=yes
        children=2
        auto_aliases=no
        disable_tcp=yes
        listen=udp:{{listen}}:5060
        mpath="{{Modules}}/"
        loadmodule "tm.so"
        loadmodule "sl.so"
        loadmodule "pv.so"
        loadmodule "ctl.so"
        loadmodule "dispatcher.so"
        modparam("tm", "fr_timer", 1000)
        modparam("ctl", "binrpc", "unix:{{ctl}}")
        modparam("dispatcher", "list_file", "{{list}}")
        modparam("dispatcher", "flags", 2)
        modparam("dispatcher", "ds_ping_interval", 1)
        modparam("dispatcher", "ds_probing_threshold", 1)
        modparam("dispatcher", "ds_inactive_threshold", 1)
        modparam("dispatcher", "ds_probing_mode", 1)
        modparam("dispatcher", "ds_ping_from", "sip:dispatcher@{{listen}}")
        request_route {
        {{route}}
        }
        """;

    /// <summary>URI (host:port) to FLAGS from `kamcmd dispatcher.list`; null while kamailio does not answer.</summary>
    public async Task<Dictionary<string, string>?> States()
    {
        var (code, text) = await SipTrunkProcessTests.RunAsync(Kamcmd, "-s", $"unix:{Ctl}", "dispatcher.list");
        if (code != 0) return null;
        var states = new Dictionary<string, string>();
        foreach (Match m in Destination().Matches(text)) states[m.Groups["addr"].Value] = m.Groups["flags"].Value;
        return states;
    }

    public async Task<bool> IsActive(string destination) => (await States())?.GetValueOrDefault(destination)?.StartsWith('A') == true;

    public async Task<string> Describe()
    {
        var (_, text) = await SipTrunkProcessTests.RunAsync(Kamcmd, "-s", $"unix:{Ctl}", "dispatcher.list");
        return $"dispatcher.list:\n{text}\nkamailio log (end):\n{string.Join('\n', Log.Split('\n').TakeLast(30))}";
    }

    [GeneratedRegex(@"URI:\s*sip:(?<addr>[0-9.]+:\d+)\s+FLAGS:\s*(?<flags>\w+)")]
    private static partial Regex Destination();

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
        _dir.Dispose();
    }
}
