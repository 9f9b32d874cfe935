using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Daemon.Bridges;
using Appliance.Daemon.Bridges.XmlRpc;
using Appliance.Sip;
using Appliance.Tests.Bridges;
using Appliance.Tests.Harness;
using Appliance.Tests.Licensing;
using Appliance.Tests.Sip;
using Appliance.Tests.Support;
using Eventually = Appliance.Tests.Support.Eventually;
using TestCluster = Appliance.Tests.Support.TestCluster;

namespace Appliance.Tests.FaultTests;

/// <summary>
/// Issue 21's proof scenario 4 with calls: two real peers are partitioned (an nft table dropping every
/// packet between their cluster addresses, both ways), each receives the first call of the same new
/// alias and creates the conference on its own bridgesim; after the heal the calls of the placement
/// that lost move to the kept bridge (CONFERENCING.md, "Moving the calls"): both calls end in one
/// conference on one bridge, the other bridge's conference is destroyed, both peers agree, and
/// neither caller's dialog drops.
/// </summary>
public sealed partial class ConferenceSplitCallTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private static readonly CancellationToken None = CancellationToken.None;
    private const string Alias = "split.4", Name = "split-4";

    [RootFact(Timeout = 300_000)]
    public async Task Calls_placed_on_two_bridges_across_a_partition_end_in_one_conference_after_the_heal_and_none_drops()
    {
        var sipPort = SipTrunkProcessTests.FreePort();
        string[] rendezvous = [LoopbackAddresses.Next(), LoopbackAddresses.Next()];
        await using var sim1 = Sim();
        await using var sim2 = Sim();
        await using var c = await StartAsync("sc", rendezvous, sipPort, sim1, sim2);
        using var api1 = Api(sim1);
        using var api2 = Api(sim2);
        await using var caller = new SipCaller();
        var cut = new LoopbackCut(c.Address(0), c.Address(1));
        await using var _ = cut;

        // Peer 1, cut off, places the first call on sim1 (sim2 looks nearly full to it).
        await SetPorts(api2, 1);
        await WaitPlacement(c[0], "sim1");
        await cut.CutAsync();
        await c.WaitStatusAsync(0, 1, "Unreachable", Settle);
        await c.WaitStatusAsync(1, 0, "Unreachable", Settle);
        var one = caller.Invite(new(System.Net.IPAddress.Parse(rendezvous[0]), sipPort), Alias);
        Assert.Equal(200, (await one.Final).StatusCode);
        await WaitParticipants(api1, 1, "call 1 in split-4 on sim1");

        // Peer 2, on the other side, does not know of it: it creates split-4 on sim2 (sim1 now looks full).
        await SetPorts(api2, 40);
        await SetPorts(api1, 1);
        await WaitPlacement(c[1], "sim2");
        var two = caller.Invite(new(System.Net.IPAddress.Parse(rendezvous[1]), sipPort), Alias, "TCP");
        Assert.Equal(200, (await two.Final).StatusCode);
        await WaitParticipants(api2, 1, "call 2 in split-4 on sim2");
        Assert.Equal("sim1", (string?)(await Conference(c[0]))?["bridge"]);
        Assert.Equal("sim2", (string?)(await Conference(c[1]))?["bridge"]);
        await SetPorts(api2, 1); // both bridges full: the first move after the heal is refused

        await cut.HealAsync();
        string? kept = null;
        await Eventually.WaitUntil(async () =>
        {
            var (r1, r2) = (await Conference(c[0]), await Conference(c[1]));
            kept = (string?)r1?["bridge"];
            return kept is not null && (string?)r2?["bridge"] == kept && (int?)r1!["participants"] == 2 && (int?)r2!["participants"] == 2;
        }, Settle, "both peers show split-4 on one bridge with 2 participants",
            async () => $"{(await Conference(c[0]))?.ToJsonString()} / {(await Conference(c[1]))?.ToJsonString()}");
        var (keptApi, lostApi, lost) = kept == "sim1" ? (api1, api2, "sim2") : (api2, api1, "sim1");
        var loser = c[kept == "sim1" ? 1 : 0];
        output.WriteLine($"{Name} kept on {kept}; {loser.Name} moves its call");

        // The kept bridge refuses the new leg (full): the call stays whole where it was, and the move is tried again.
        await Eventually.WaitUntil(async () => (await Events(loser)).Any(e => e.Contains($"move to bridge {kept} is not done", StringComparison.Ordinal)
            && e.Contains($"bridge {kept} answered 486", StringComparison.Ordinal)), Settle, $"{loser.Name} reports the refused move",
            async () => string.Join("\n", await Events(loser)));
        Assert.Equal(1, await Participants(lostApi));
        Assert.Equal(1, await Participants(keptApi));
        Assert.Equal(lost, (string?)(await loser.Api("calls.show"))["calls"]![0]!["bridge"]);
        await SetPorts(api1, 40);
        await SetPorts(api2, 40);

        await WaitParticipants(keptApi, 2, $"both calls in split-4 on {kept}");
        await Eventually.WaitUntil(async () => (await lostApi.EnumerateConferencesAsync(None)).All(x => x.Name != Name), Settle,
            "the lost placement's conference is destroyed on its bridge", async () => string.Join(", ", (await lostApi.EnumerateConferencesAsync(None)).Select(x => x.Name)));
        foreach (var peer in c.Peers)
        {
            var calls = (await peer.Api("calls.show"))["calls"]!.AsArray().OfType<JsonObject>().ToList();
            Assert.All(calls, call => Assert.Equal(kept, (string?)call["bridge"]));
        }
        var events = await Events(loser);
        events.ForEach(e => output.WriteLine($"{loser.Name}: {e}"));
        Assert.Contains(events, e => e.Contains($"this peer moves its 1 participants there and destroys its own on bridge {lost}", StringComparison.Ordinal));

        // The moved call's caller was told the kept bridge's SDP (a re-INVITE in its dialog); the other one heard nothing.
        var (moved, stayed) = kept == "sim1" ? (two, one) : (one, two);
        Assert.NotNull(moved.Dialog!.RemoteSequence);
        Assert.Null(stayed.Dialog!.RemoteSequence);

        // No call dropped: neither caller was hung up, and each BYE still reaches its leg on the kept bridge.
        Assert.False(one.HungUpByFarEnd.Task.IsCompleted, "call 1 was hung up");
        Assert.False(two.HungUpByFarEnd.Task.IsCompleted, "call 2 was hung up");
        Assert.Equal(200, (await one.SendAsync(SipMethods.Bye)).StatusCode);
        await WaitParticipants(keptApi, 1, "call 1's BYE reached the kept bridge");
        Assert.Equal(200, (await two.SendAsync(SipMethods.Bye)).StatusCode);
        await Eventually.WaitUntil(async () => await Conference(c[0]) is null && await Conference(c[1]) is null, Settle, "split-4 lingers and goes on both peers");
    }

    /// <summary>The bridgesims started, then one peer per rendezvous address, formed and configured to place split.N on them.</summary>
    private static async Task<TestCluster> StartAsync(string prefix, string[] rendezvous, int sipPort, params BridgeSimProcess[] sims)
    {
        await Task.WhenAll(sims.Select(s => s.StartAsync()));
        var c = await TestCluster.StartAsync(rendezvous.Length, prefix, _ => ["--sip-port", sipPort.ToString(CultureInfo.InvariantCulture)]);
        await c.FormAsync();
        await Configure(c, rendezvous, sipPort, sims);
        return c;
    }

    private static BridgeSimProcess Sim() => new(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password]);

    private static BridgeClient Api(BridgeSimProcess sim) => new(new(sim.Address, sim.Address, "http", BridgeSimProcess.HttpPort,
        BridgeSimFixture.User, BridgeSimFixture.Password, "mcu", BridgeSimProcess.SipPort, "udp"), timeout: TimeSpan.FromSeconds(10));

    private static async Task Configure(TestCluster c, string[] rendezvous, int sipPort, params BridgeSimProcess[] sims)
    {
        await c[0].Add("locations", "oslo");
        for (var i = 0; i < sims.Length; i++)
        {
            await c[0].Add("bridges", $"sim{i + 1}", ("address", sims[i].Address), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"),
                ("user", BridgeSimFixture.User), ("password", BridgeSimFixture.Password), ("type", "mcu"),
                ("sipPort", $"{BridgeSimProcess.SipPort}"), ("sipTransport", "udp"));
        }
        await c[0].Add("bridge-pools", "pool", ("bridges", "sim1,sim2"));
        await c[0].Add("service-preferences", "pref", ("pools", "pool"));
        await c[0].Add("templates", "tpl", ("preference", "pref"), ("lingerSeconds", "1"));
        await c[0].Add("conference-aliases", "al-split", ("pattern", @"split\.(\d+)"), ("conference", "split-$1"), ("role", "guest"),
            ("priority", "10"), ("template", "tpl"));
        var serial = (string)(await c[0].Api("licence.show"))["serial"]!;
        await c[0].Api("licence.add", new JsonObject { ["key"] = TestVendorKey.Issuer().IssueOption(serial, 5, 10) });
        for (var i = 0; i < rendezvous.Length; i++)
        {
            await c[i].Add("location-addresses", "oslo", ("rendezvous", rendezvous[i]));
            var (peer, want) = (c[i], $"listening on {rendezvous[i]}:{sipPort}");
            await Eventually.WaitUntil(async () => (await peer.Api("status"))["appliers"]!.AsArray().OfType<JsonObject>()
                .Any(a => (string?)a["name"] == "sip" && ((string?)a["reason"])?.StartsWith(want, StringComparison.Ordinal) == true),
                Settle, $"peer {i + 1}'s trunk listens");
        }
    }

    private static Task SetPorts(BridgeClient sim, int ports) => sim.CallAsync("sim.set", new XmlRpcStruct { ["ports"] = ports }, None);

    /// <summary>Waits until the peer's own bridge watcher has seen the capacities set: a new split.4 would be created on <paramref name="bridge"/>.</summary>
    private static Task WaitPlacement(DaemonProcess peer, string bridge) =>
        Eventually.WaitUntil(async () =>
            {
                var p = await peer.Api("conferences.place", new JsonObject { ["alias"] = Alias });
                return (string?)p["outcome"] == "create" && (string?)p["bridge"] == bridge;
            }, Settle, $"{peer.Name} would create {Name} on {bridge}",
            async () => (await peer.Api("conferences.place", new JsonObject { ["alias"] = Alias })).ToJsonString());

    private static Task WaitParticipants(BridgeClient sim, int n, string what) =>
        Eventually.WaitUntil(async () => (await Participants(sim)) == n, Settle, what, async () => $"{await Participants(sim)} participants");

    private static async Task<int> Participants(BridgeClient sim)
    {
        try { return (await sim.EnumerateParticipantsAsync(Name, None)).Count; }
        catch (BridgeCallException e) when (e.FaultCode == BridgeFaults.NoSuchConference) { return -1; }
    }

    private static async Task<List<string>> Events(DaemonProcess peer) =>
        [.. (await peer.Api("log.read", new JsonObject { ["log"] = "events" }))["entries"]!.AsArray()
            .Select(e => (string?)e!["message"] ?? "").Where(m => m.Contains(Name, StringComparison.Ordinal))];

    private static async Task<JsonObject?> Conference(DaemonProcess peer) =>
        (await peer.Api("conferences.show"))["conferences"]!.AsArray().OfType<JsonObject>().FirstOrDefault(x => (string?)x["name"] == Name);

    /// <summary>
    /// A silent partition of loopback peers a and b (a == b: one peer cut off from all others): an nft
    /// table in this namespace drops every packet to or from their cluster ports, and their dials (bound
    /// to their own addresses) to any peer's; their SIP trunks and the bridges stay reachable.
    /// </summary>
    private sealed class LoopbackCut(string a, string b) : IAsyncDisposable
    {
        private static readonly string Ports = string.Join(", ", Appliance.Tests.Harness.TestCluster.ClusterPorts);
        private readonly string _table = $"split_cut_{Environment.ProcessId}";
        private bool _cut;

        public async Task CutAsync()
        {
            await HostCommand.RunAsync("nft", ["-f", "-"], $$"""
                table ip {{_table}} {
                    chain output {
                        type filter hook output priority -10; policy accept;
                        ip daddr { {{a}}, {{b}} } meta l4proto { tcp, udp } th dport { {{Ports}} } drop
                        ip saddr { {{a}}, {{b}} } meta l4proto { tcp, udp } th sport { {{Ports}} } drop
                        ip saddr { {{a}}, {{b}} } meta l4proto { tcp, udp } th dport { {{Ports}} } drop
                        ip daddr { {{a}}, {{b}} } meta l4proto { tcp, udp } th sport { {{Ports}} } drop
                    }
                }

                """);
            _cut = true;
        }

        public async Task HealAsync()
        {
            if (!_cut) return;
            await HostCommand.RunAsync("nft", ["delete", "table", "ip", _table]);
            _cut = false;
        }

        public async ValueTask DisposeAsync() => await HealAsync();
    }
}
