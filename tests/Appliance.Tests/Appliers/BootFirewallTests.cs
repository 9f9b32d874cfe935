using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Hal;
using Appliance.Tests.Hal;
using Appliance.Tests.Image;
using Appliance.Tests.Support;
using Xunit.Abstractions;

using Appliance.Tests.Harness;

namespace Appliance.Tests.Appliers;

/// <summary>
/// Firewall from the first packet: the real daemon (<c>--hal linux</c>, in a namespace) saves the
/// ruleset it applied; then the whole ruleset is flushed (a boot) and loaded again by the very
/// commands the units run: Debian's nftables.service with the image's /etc/nftables.conf, then
/// the image's appliance-firewall.service with the saved file. Real TCP connects show who gets in.
/// </summary>
public sealed class BootFirewallTests(ITestOutputHelper output)
{
    private const string SavedOnImage = "/var/lib/appliance/firewall/applianced.nft";
    private const int OperatorDropped = 22;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [RootFact]
    public async Task After_a_boot_load_only_peers_reach_4372_and_the_operator_drop_holds_with_the_daemon_stopped()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        var saved = dir["firewall/applianced.nft"];
        await using var d = Daemon(dir, lan, saved);
        await d.StartAsync();
        await d.ClusterWithThePeerAsync();
        await d.Api("firewall.stage", new JsonObject
        {
            ["name"] = "no-ssh-from-stranger", ["priority"] = "10", ["source"] = LanNamespaces.Stranger,
            ["protocol"] = "tcp", ["port"] = OperatorDropped.ToString(), ["action"] = "drop",
        });
        await d.Api("firewall.activate", new JsonObject { ["seconds"] = "30" });
        await d.Api("firewall.accept");
        await NodeFixture.Eventually(() => File.Exists(saved) && Running(lan)?.OperatorRules.Count == 1 && Running(lan)!.ClusterPeers.Count == 2,
            () => $"saved: {File.Exists(saved)}", Timeout);
        Assert.Equal(NftRenderer.Render(Running(lan)!), await File.ReadAllTextAsync(saved));

        // Stopping the daemon leaves its table in force.
        await d.StopAsync();
        Assert.Equal(["appliance"], Tables(lan));

        BootLoad(lan, saved);
        Assert.Equal(["appliance", "appliance_base"], Tables(lan).Order());
        using var listeners = Listeners.Start(lan, 4372, OperatorDropped);
        Assert.True(lan.CanConnect(LanNamespaces.Peer, 4372), "a peer cannot reach 4372");
        Assert.False(lan.CanConnect(LanNamespaces.Stranger, 4372), "a stranger reached 4372");
        Assert.True(lan.CanConnect(LanNamespaces.Peer, OperatorDropped), "the peer cannot reach 22");
        Assert.False(lan.CanConnect(LanNamespaces.Stranger, OperatorDropped), "the operator's drop rule does not hold");
    }

    [RootFact]
    public async Task A_fresh_box_with_no_peers_saves_cluster_ports_closed_to_everyone()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        var saved = dir["firewall/applianced.nft"];
        await using (var d = Daemon(dir, lan, saved))
        {
            await d.StartAsync();
            await NodeFixture.Eventually(() => File.Exists(saved), () => "no saved firewall", Timeout);
        }
        BootLoad(lan, saved);
        using var listeners = Listeners.Start(lan, 4372, OperatorDropped);
        Assert.False(lan.CanConnect(LanNamespaces.Peer, 4372), "4372 open on a box without peers");
        Assert.False(lan.CanConnect(LanNamespaces.Stranger, 4372), "4372 open on a box without peers");
        Assert.True(lan.CanConnect(LanNamespaces.Stranger, OperatorDropped), "SSH closed on a fresh box");
    }

    [RootFact]
    public void A_damaged_saved_file_fails_only_its_own_unit_and_the_base_firewall_stays()
    {
        using var dir = new TempDirectory();
        using var lan = new LanNamespaces();
        var saved = dir["applianced.nft"];
        var whole = NftRenderer.Render(new FirewallRuleset([], [System.Net.IPAddress.Parse(LanNamespaces.Peer)]));
        File.WriteAllText(saved, whole[..(whole.Length / 2)]);

        var (baseExit, savedExit) = BootLoad(lan, saved, check: false);
        Assert.Equal(0, baseExit);
        Assert.NotEqual(0, savedExit);
        Assert.Equal(["appliance_base"], Tables(lan));
        using var listeners = Listeners.Start(lan, 4372, 8080);
        Assert.True(lan.CanConnect(LanNamespaces.Stranger, 4372), "the base table alone lets the cluster ports in");
        Assert.False(lan.CanConnect(LanNamespaces.Peer, 8080), "no firewall at all after a damaged saved file");
    }

    private DaemonProcess Daemon(TempDirectory dir, LanNamespaces lan, string saved) =>
        new(dir["data"], dir["api.sock"], extraArgs:
            ["--interface", LanNamespaces.Interface, "--resolv-conf", dir["resolv.conf"], "--timesyncd-conf", dir["timesyncd.conf"], "--firewall-save", saved],
            environment: new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + dir["no-bus.sock"] })
        {
            NetworkNamespace = lan.Appliance.Name, Hal = "linux", User = "admin", Log = output.WriteLine,
        };

    /// <summary>A boot, as far as the firewall goes: an empty ruleset, then each unit's ExecStart with the image's paths mapped to the test's.</summary>
    private (int BaseExit, int SavedExit) BootLoad(LanNamespaces lan, string saved, bool check = true)
    {
        lan.Appliance.Exec("nft", "flush", "ruleset");
        var baseConf = Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "etc", "nftables.conf");
        var nftablesUnit = new[] { "/lib/systemd/system/nftables.service", "/usr/lib/systemd/system/nftables.service" }.First(File.Exists);
        var firewallUnit = Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "etc", "systemd", "system", "appliance-firewall.service");
        var baseExit = RunExecStart(lan, nftablesUnit, "/etc/nftables.conf", baseConf);
        var savedExit = RunExecStart(lan, firewallUnit, SavedOnImage, saved);
        if (check)
            Assert.True(baseExit == 0 && savedExit == 0, $"boot load failed: nftables.service {baseExit}, appliance-firewall.service {savedExit}");
        return (baseExit, savedExit);
    }

    private int RunExecStart(LanNamespaces lan, string unit, string imagePath, string testPath)
    {
        var line = File.ReadLines(unit).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        var words = line["ExecStart=".Length..].TrimStart('-', '@', '+', '!').Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w == imagePath ? testPath : w).ToArray();
        Assert.Contains(testPath, words);
        var (exit, _, stderr) = Host.TryRun(["ip", "netns", "exec", lan.Appliance.Name, .. words]);
        output.WriteLine($"{Path.GetFileName(unit)}: {string.Join(' ', words)} -> {exit} {stderr.Trim()}");
        return exit;
    }

    private static FirewallRuleset? Running(LanNamespaces lan) =>
        NftJsonReader.Parse(lan.Appliance.Exec("nft", "-j", "list", "ruleset"))?.Ruleset;

    private static List<string> Tables(LanNamespaces lan) =>
        lan.Appliance.Exec("nft", "list", "tables").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ').Last()).ToList();

    /// <summary>socat listeners on the appliance side, standing in for the stopped daemon and sshd.</summary>
    private sealed class Listeners : IDisposable
    {
        private readonly List<Process> _processes = [];

        public static Listeners Start(LanNamespaces lan, params int[] ports)
        {
            var l = new Listeners();
            foreach (var port in ports)
            {
                l._processes.Add(Process.Start(new ProcessStartInfo("ip",
                    ["netns", "exec", lan.Appliance.Name, "socat", $"TCP-LISTEN:{port},fork,reuseaddr", "OPEN:/dev/null"]))!);
                var until = DateTime.UtcNow + Timeout;
                while (!lan.Appliance.Exec("ss", "-Hltn", "sport", "=", $":{port}").Contains($":{port}"))
                {
                    if (DateTime.UtcNow > until) { l.Dispose(); Assert.Fail($"socat did not listen on {port}"); }
                    Thread.Sleep(50);
                }
            }
            return l;
        }

        public void Dispose()
        {
            foreach (var p in _processes)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
                p.Dispose();
            }
        }
    }
}
