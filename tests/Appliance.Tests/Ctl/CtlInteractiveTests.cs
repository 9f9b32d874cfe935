using Appliance.Ctl;

namespace Appliance.Tests.Ctl;

public class CtlInteractiveTests
{
    private static FakeDaemon Daemon()
    {
        var daemon = new FakeDaemon();
        daemon.Ok("status", """{"host":"node-a","version":"1.0.0","alarms":0}""");
        daemon.Ok("config.show", """{"sections":[{"section":"dns","scope":"shared","values":{"servers":["9.9.9.9"]}}]}""");
        daemon.Ok("config.sections", """{"sections":[{"name":"dns","scope":"shared","collection":false,"fields":["servers","search"],"secrets":[]},{"name":"dhcp","scope":"peer","collection":false,"fields":["enabled"],"secrets":[]}]}""");
        return daemon;
    }

    [Fact]
    public async Task RedirectedStdin_PromptsWithTheHostAndRunsEachLine()
    {
        await using var daemon = Daemon();

        var r = await CtlRun.RunWithStdinAsync(daemon, "status\nconfig show \"dns\"\nexit\nstatus\n");

        Assert.Equal(0, r.Code);
        Assert.Equal(["status", "session.login", "status", "config.show"], daemon.Cmds);
        Assert.Equal("dns", (string)daemon.Requests.Last()["args"]!["section"]!);
        Assert.Equal("""
            node-a> host     node-a
            version  1.0.0
            alarms   0
            node-a> sections:
              section  dns
              scope    shared
              values:
                servers  9.9.9.9
            node-a> 
            """.ReplaceLineEndings("\n").TrimEnd('\n'), r.Out.TrimEnd('\n'));
    }

    [Fact]
    public async Task EndOfInput_LeavesTheShell_ErrorsDoNotAndNoShellEscape()
    {
        await using var daemon = Daemon();

        var r = await CtlRun.RunWithStdinAsync(daemon, "!sh -c id\nbogus\nhelp\nconfig get\n");

        Assert.Contains("error: there is no shell escape here", r.Err);
        Assert.Contains("error: unknown command 'bogus'", r.Err);
        Assert.Contains("exit, quit", r.Out);
        Assert.Contains("error: missing SECTION.FIELD", r.Err);
        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Equal(5, r.Out.Split("node-a> ").Length - 1);
    }

    [Fact]
    public async Task UnreachableDaemon_StillGivesAShellThatReportsIt()
    {
        var dir = Directory.CreateTempSubdirectory("ctl-").FullName;
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await Cli.RunAsync(["--socket", Path.Combine(dir, "none.sock")], new StringReader("status\n"), output, error)
                .WaitAsync(CtlRun.Timeout);

            Assert.Equal(ExitCodes.Unreachable, code);
            Assert.Contains("warning: no status from the daemon", error.ToString());
            Assert.Contains(Environment.MachineName + "> ", output.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Terminal_LineEditingHistoryAndCompletion()
    {
        await using var daemon = Daemon();
        var home = Directory.CreateTempSubdirectory("ctl-home-").FullName;
        try
        {
            var keys = new ScriptedTerminal()
                .Type("stat").Press(ConsoleKey.Tab).Type("\n")                  // completes to "status "
                .Type("config sh\td\tn\t\n")                                     // "config show dns" (dhcp/dns share "d")
                .Type("xconfig get dns.ser").Press(ConsoleKey.Home).Press(ConsoleKey.Delete).Press(ConsoleKey.End).Type("\t\n")
                .Press(ConsoleKey.UpArrow).Press(ConsoleKey.UpArrow).Type("\n")    // again: config show dns
                .Type("cluster set-key hunter2\n")
                .Type("exit\n");
            var output = new StringWriter();
            var host = new CliHost(new StringReader(""), output, new StringWriter())
            {
                Terminal = keys,
                GetEnv = n => n == "HOME" ? home : null,
            };
            daemon.Ok("config.get", """{"path":"dns.servers","value":["9.9.9.9"]}""");

            var code = await Cli.RunAsync(["--socket", daemon.SocketPath], host, default).WaitAsync(CtlRun.Timeout);

            Assert.Equal(ExitCodes.Usage, code);
            Assert.Equal("session.login", (string)daemon.Requests.ElementAt(1)["cmd"]!);
            var sent = daemon.Requests.Skip(2).Where(r => (string)r["cmd"]! != "config.sections").ToList();
            Assert.Equal(["status", "config.show", "config.get", "config.show"], sent.Select(r => (string)r["cmd"]!));
            Assert.Equal("dns", (string)sent[1]["args"]!["section"]!);
            Assert.Equal("dns.servers", (string)sent[2]["args"]!["path"]!);
            Assert.Equal(["status", "config show dns", "config get dns.servers", "config show dns"],
                File.ReadAllLines(Path.Combine(home, ".appliancectl_history")).Select(l => l.TrimEnd()).Take(4));
            Assert.DoesNotContain("hunter2", File.ReadAllText(Path.Combine(home, ".appliancectl_history")));
        }
        finally
        {
            Directory.Delete(home, true);
        }
    }
}
