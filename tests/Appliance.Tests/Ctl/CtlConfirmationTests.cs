using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Ctl;

/// <summary>
/// Commands that cannot be taken back ask first (issue 20, point 1), checked as a person meets them:
/// appliancectl's shell in a real terminal (tmux) against a real daemon, and as a script meets them:
/// the built binary with stdin not a terminal.
/// </summary>
public class CtlConfirmationTests(ITestOutputHelper output)
{
    [Fact(Timeout = 120_000)]
    public async Task Restart_AnsweredNo_InTheShell_ChangesNothing_AndAYesRestarts()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        await d.Daemon.Set("system.hostname", "beta");
        await using var terminal = await CtlShell.StartAsync(d, output.WriteLine);

        await terminal.TypeAsync("restart");
        await terminal.WaitForAsync("applianced on peer beta will restart");
        await terminal.WaitForAsync("Continue? [y/N]");
        await terminal.TypeAsync("n");
        await terminal.WaitForAsync("nothing was changed");
        await terminal.WaitForAsync("beta> ", count: 2); // the shell is back at its prompt (drawn just after the refusal)

        Assert.True(d.Daemon.Running);
        Assert.DoesNotContain(await Events(d.Daemon), e => e.Contains("restart requested", StringComparison.Ordinal));

        await terminal.TypeAsync("cluster leave");
        await terminal.WaitForAsync("peer beta will leave the cluster; its shared configuration stays");
        await terminal.TypeAsync("", enter: true); // Enter alone is the default: no
        await terminal.WaitForAsync("nothing was changed", count: 2);
        Assert.DoesNotContain(await ConfigLog(d.Daemon), e => e.Contains("\"cluster\"", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Restart_WithoutATerminal_IsRefusedWithExit2_NamingYes_AndWithYesRuns()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();

        var refused = await RunAsync(d, "restart");

        Assert.Equal(2, refused.Code);
        Assert.Contains("--yes", refused.Err, StringComparison.Ordinal);
        Assert.Contains("nothing was done", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(await Events(d.Daemon), e => e.Contains("restart requested", StringComparison.Ordinal));

        var json = await RunAsync(d, "--json", "cluster", "leave");
        Assert.Equal(2, json.Code);
        Assert.Equal("refused", (string?)JsonNode.Parse(json.Err)!["error"]!["kind"]);

        var yes = await RunAsync(d, "restart", "--yes");
        Assert.Equal(0, yes.Code);
        await Eventually.WaitUntil(async () =>
        {
            try { return (await Events(d.Daemon)).Count(e => e.StartsWith("applianced ", StringComparison.Ordinal) && e.Contains(" starting as peer", StringComparison.Ordinal)) == 2; }
            catch (Exception) { return false; } // restarting: the socket comes back
        }, TimeSpan.FromSeconds(60), "the daemon restarts after restart --yes");
        Assert.Contains(await Events(d.Daemon), e => e.Contains("restart requested", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task ConfigUnsetClusterKey_LeavesTheCluster_SoItAsksAsClusterLeaveDoes()
    {
        await using var d = new StandaloneDaemon(bind: true);
        await d.Daemon.StartAsync();
        await d.Daemon.SetKey(TestCluster.Key);
        await d.Daemon.SetPeers(d.Daemon.Bind!);
        await Eventually.WaitUntil(async () => (await d.Daemon.ClusterId()).Length > 0, TestCluster.SettleTimeout, "a cluster of one");
        var id = await d.Daemon.ClusterId();

        var refused = await RunAsync(d, "config", "unset", "cluster.key");

        Assert.Equal(2, refused.Code);
        Assert.Contains("will leave the cluster", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--yes", refused.Err, StringComparison.Ordinal);
        Assert.Equal(id, await d.Daemon.ClusterId());
        Assert.Equal("set", (string?)(await d.Daemon.Api("cluster.show"))["key"]);
        var peers = await RunAsync(d, "--json", "config", "unset", "cluster.peers");
        Assert.Equal(2, peers.Code);
        Assert.Equal("refused", (string?)JsonNode.Parse(peers.Err)!["error"]!["kind"]);
        // Other fields are cleared without a question, as before.
        Assert.Equal(0, (await RunAsync(d, "config", "unset", "snmp.location")).Code);

        var yes = await RunAsync(d, "config", "unset", "cluster.key", "--yes");

        Assert.True(yes.Code == 0, yes.Err);
        Assert.Equal("", await d.Daemon.ClusterId());
        Assert.Equal("not set", (string?)(await d.Daemon.Api("cluster.show"))["key"]);
    }

    private static async Task<List<string>> Events(DaemonProcess d) =>
        (await d.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray().Select(e => (string)e!["message"]!).ToList();

    private static async Task<List<string>> ConfigLog(DaemonProcess d) =>
        (await d.Api("log.read", new JsonObject { ["log"] = "config" }))["entries"]!.AsArray().Select(e => e!.ToJsonString()).ToList();

    private static Task<CtlResult> RunAsync(StandaloneDaemon d, params string[] args) => CtlProcess.RunAsync(d.Daemon.SocketPath, args);
}
