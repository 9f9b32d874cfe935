using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Appliers;
using Appliance.Daemon.Hosting;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.Appliers;

/// <summary>
/// The SNMP applier's files served by Debian's real snmpd, started as the image's unit does (as
/// root, dropping to Debian-snmp after it read the 0600 configuration), queried with the real
/// snmpget: what the view shows, what it hides, and that a wrong community gets nothing.
/// </summary>
public sealed class SnmpdProcessTests(ITestOutputHelper output)
{
    private const string Snmpd = "/usr/sbin/snmpd";
    private const string SysContact = ".1.3.6.1.2.1.1.4.0";
    private const string SysName = ".1.3.6.1.2.1.1.5.0";
    private const string SysLocation = ".1.3.6.1.2.1.1.6.0";
    private const string IfNumber = ".1.3.6.1.2.1.2.1.0"; // IF-MIB: served by snmpd, outside the view

    [Harness.RootFact]
    public async Task Snmpd_serves_the_system_group_and_the_cluster_state_to_the_community_only()
    {
        Assert.True(File.Exists(Snmpd), $"{Snmpd} is missing: build.sh installs snmpd and snmp");
        using var dir = new Support.TempDirectory();
        // Like /run/appliance on the image: Debian-snmp must reach the status files below it.
        File.SetUnixFileMode(dir.Path, SnmpFiles.Public | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var address = $"127.0.{RandomNumberGenerator.GetInt32(1, 255)}.{RandomNumberGenerator.GetInt32(2, 255)}";
        var agent = $"{address}:{FreeUdpPort(address)}";
        var files = new SnmpdFiles(dir["snmp/snmpd.conf"], dir["status"]) { AgentAddress = "udp:" + agent };
        await using var f = NodeFixture.Start(d => HalSet.Simulated(d) with { Snmp = files });
        await f.Set("system.hostname", "node-a");
        await f.Set("snmp.community", "n0c-read!");
        await f.Set("snmp.contact", "NOC desk <noc@example.test>");
        await f.Set("snmp.location", "Rack #4, \"B\" side");
        await f.Set("snmp.enabled", "true");
        await f.Settled(f.Appliers.Snmp, s => s.Reason.StartsWith("on:"));

        var log = new StringBuilder();
        using var snmpd = StartSnmpd(files.ConfigFile, log);
        try
        {
            await WaitServingAsync(agent, snmpd, log);
            Assert.Equal("\"NOC desk <noc@example.test>\"", Get(agent, "n0c-read!", SysContact));
            Assert.Equal("\"node-a\"", Get(agent, "n0c-read!", SysName));
            Assert.Equal("\"Rack #4, \\\"B\\\" side\"", Get(agent, "n0c-read!", SysLocation));
            Assert.Equal("\"1\"", Get(agent, "n0c-read!", ExtendLine("clusterPeersActive")));
            Assert.Equal("\"standalone\"", Get(agent, "n0c-read!", ExtendLine("peerState")));
            Assert.Equal("\"node-a\"", Get(agent, "n0c-read!", ExtendLine("peerName")));
            // The status files are rewritten every 5 s: an alarm raised meanwhile shows on the next turn.
            await Support.Eventually.WaitUntil(() => Task.FromResult(
                    Get(agent, "n0c-read!", ExtendLine("clusterAlarms")) == $"\"{f.Node.Logs.Alarms.Active().Count}\""),
                TimeSpan.FromSeconds(15), "clusterAlarms served as the node's active alarm count");

            var walk = Run("snmpwalk", "-v2c", "-c", "n0c-read!", "-t", "1", "-r", "0", "-m", "", "-On", agent, ".1");
            // The walk ends on a repeat of the last OID saying the view has no more.
            var oids = walk.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => !l.Contains("No more variables", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).ToList();
            Assert.Contains(SysContact, oids);
            Assert.All(oids, oid => Assert.True(oid.StartsWith(SnmpdConfig.SystemOid + ".", StringComparison.Ordinal)
                || oid.StartsWith(SnmpdConfig.ExtendOutputOid + ".", StringComparison.Ordinal), $"{oid} is outside the view"));
            Assert.Equal(SnmpStatus.Extends.Count * 4, oids.Count(o => o.StartsWith(SnmpdConfig.ExtendOutputOid + ".", StringComparison.Ordinal)));
            Assert.StartsWith("No Such Object", Get(agent, "n0c-read!", IfNumber));
            Assert.StartsWith("No Such Object", Get(agent, "n0c-read!", ".1.3.6.1.4.1.8072.1.3.2.2.1.2" + Index("peerName")));
            var wrong = Run("snmpget", "-v2c", "-c", "public", "-t", "1", "-r", "0", "-m", "", "-On", agent, SysName);
            output.WriteLine($"wrong community: exit {wrong.Exit} {wrong.Out} {wrong.Err}");
            Assert.NotEqual(0, wrong.Exit);
            Assert.Contains("Timeout", wrong.Err);
            Assert.DoesNotContain("node-a", wrong.Out);
        }
        finally
        {
            snmpd.Kill(entireProcessTree: true);
            snmpd.WaitForExit(NodeFixture.Timeout);
            lock (log) output.WriteLine(log.ToString());
        }
    }

    /// <summary>snmpd with its output drained into <paramref name="log"/> as it comes, so no pipe fills and nothing waits for its end.</summary>
    private static Process StartSnmpd(string config, StringBuilder log)
    {
        var start = new ProcessStartInfo(Snmpd) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["MIBS"] = ""; // numeric OIDs only: Debian ships without most MIB files
        foreach (var arg in new[] { "-f", "-Lo", "-C", "-c", config, "-I", "-smux,mteTrigger,mteTriggerConf" })
            start.ArgumentList.Add(arg);
        if (Run("id", "-u", "Debian-snmp").Exit == 0)
            foreach (var arg in new[] { "-u", "Debian-snmp", "-g", "Debian-snmp" })
                start.ArgumentList.Add(arg);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitServingAsync(string agent, Process snmpd, StringBuilder log)
    {
        var deadline = DateTime.UtcNow + NodeFixture.Timeout;
        while (!Get(agent, "n0c-read!", SysName).StartsWith('"'))
        {
            Assert.False(snmpd.HasExited, "snmpd exited: " + log);
            Assert.True(DateTime.UtcNow < deadline, "snmpd did not answer in time");
            await Task.Delay(100);
        }
    }

    /// <summary>The value snmpget prints after "=", with its type stripped; the error text when there is none.</summary>
    private string Get(string agent, string community, string oid)
    {
        var r = Run("snmpget", "-v2c", "-c", community, "-t", "1", "-r", "0", "-m", "", "-On", agent, oid);
        output.WriteLine($"snmpget {oid}: {r.Out.Trim()} {r.Err.Trim()}");
        var line = r.Out.Trim();
        var value = line.Contains(" = ") ? line[(line.IndexOf(" = ", StringComparison.Ordinal) + 3)..] : r.Err.Trim();
        return value.StartsWith("STRING: ", StringComparison.Ordinal) ? value["STRING: ".Length..] : value;
    }

    /// <summary>NET-SNMP-EXTEND-MIB::nsExtendOutput1Line."name": the name as a length-prefixed string index.</summary>
    private static string ExtendLine(string name) => ".1.3.6.1.4.1.8072.1.3.2.3.1.1" + Index(name);

    private static string Index(string name) => $".{name.Length}." + string.Join('.', Encoding.ASCII.GetBytes(name));

    private static int FreeUdpPort(string address)
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var start = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args.Skip(1))
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(NodeFixture.Timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not finish");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
