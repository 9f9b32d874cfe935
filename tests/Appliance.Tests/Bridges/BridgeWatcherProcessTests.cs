using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Tests.Support;

namespace Appliance.Tests.Bridges;

/// <summary>
/// Real daemons watching a real bridgesim: usable with capacity; killed, unreachable with an alarm
/// on the peer and its view replicated to the other; back, usable again within 10 s; a wrong
/// password; HTTPS against the CA certificates.trustedCa selects, per peer.
/// </summary>
public class BridgeWatcherProcessTests(BridgeClusterFixture fixture) : IClassFixture<BridgeClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);
    private readonly TestCluster c = fixture.Cluster;
    private readonly List<BridgeSimProcess> _sims = [];
    private readonly TempDirectory _dir = new();
    private readonly List<string> _bridges = [];

    private async Task<BridgeSimProcess> StartSimAsync(params string[] args)
    {
        var sim = new BridgeSimProcess(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password, "--ports", "12", .. args]);
        _sims.Add(sim);
        await sim.StartAsync();
        return sim;
    }

    private async Task AddBridgeAsync(string name, BridgeSimProcess sim, string protocol = "http", string password = BridgeSimFixture.Password)
    {
        _bridges.Add(name);
        await c[0].Add("bridges", name, ("address", sim.Address), ("protocol", protocol),
            ("port", protocol == "https" ? $"{BridgeSimProcess.HttpsPort}" : $"{BridgeSimProcess.HttpPort}"),
            ("user", BridgeSimFixture.User), ("password", password), ("type", "mcu"));
    }

    /// <summary>The row of `bridges status` on <paramref name="viewer"/> for <paramref name="bridge"/> as peer <paramref name="peer"/> sees it.</summary>
    private static async Task<JsonObject> Row(DaemonProcess viewer, string bridge, string peer) =>
        (await viewer.Api("bridges.status", new JsonObject { ["bridge"] = bridge }))["bridges"]!.AsArray().Select(r => r!.AsObject())
            .FirstOrDefault(r => (string?)r["peer"] == peer) ?? new JsonObject { ["state"] = "(no row)" };

    private Task<TimeSpan> WaitState(int viewer, string bridge, int peer, string state, TimeSpan? timeout = null, Func<JsonObject, bool>? also = null) =>
        Eventually.WaitUntil(async () => await Row(c[viewer], bridge, c.Host(peer)) is var row && (string?)row["state"] == state && (also?.Invoke(row) ?? true),
            timeout ?? Settle, $"{c.Host(viewer)} shows {bridge} from {c.Host(peer)} as {state}",
            async () => (await c[viewer].Api("bridges.status", new JsonObject { ["bridge"] = bridge })).ToJsonString(), pollMs: 100);

    [Fact(Timeout = 180_000)]
    public async Task Bridge_Usable_ThenKilled_Unreachable_WithAlarm_Replicated_ThenBack_UsableWithinTenSeconds()
    {
        var sim = await StartSimAsync();
        await AddBridgeAsync("w1", sim);

        // Usable with its capacity, from both peers, each peer's view visible on the other.
        await WaitState(0, "w1", 0, BridgeStates.Usable, also: r => (int?)r["inUse"] == 0 && (int?)r["max"] == 12 && r["lastSeen"] is not null);
        await WaitState(0, "w1", 1, BridgeStates.Usable, also: r => (int?)r["max"] == 12 && (bool?)r["peerConnected"] == true);
        await WaitState(1, "w1", 0, BridgeStates.Usable);
        var (code, text) = await Ctl(c[1], "--wide", "bridges", "status", "w1");
        Assert.Equal(0, code);
        Assert.Matches(@"(?m)^bridge\s+peer\s+state\s+inUse\s+max\s+lastSeen\s+since\s+reason", text);
        Assert.Matches(@"(?m)^w1\s+br2\s+usable\s+0\s+12\s", text);
        Assert.Matches(@"(?m)^w1\s+br1\s+usable\s+0\s+12\s", text);
        var (_, json) = await Ctl(c[1], "--json", "bridges", "status");
        var rows = JsonNode.Parse(json)!["bridges"]!.AsArray().Where(r => (string?)r!["bridge"] == "w1").ToList();
        Assert.Equal(["br2", "br1"], rows.Select(r => (string?)r!["peer"]));

        sim.Kill();
        await WaitState(0, "w1", 0, BridgeStates.Unreachable, also: r => ((string)r["reason"]!).Contains(sim.Address, StringComparison.Ordinal));
        var alarm = Assert.Single(await c[0].Alarms(), a => (string?)a["id"] == "bridge:w1" && a["lowered"] is null);
        Assert.Equal("error", (string?)alarm["severity"]);
        Assert.Contains("unreachable", (string)alarm["text"]!, StringComparison.Ordinal);
        await WaitState(1, "w1", 0, BridgeStates.Unreachable); // p1's view, replicated to p2

        await sim.StartAsync();
        var back = await WaitState(0, "w1", 0, BridgeStates.Usable, TimeSpan.FromSeconds(10));
        Assert.True(back <= TimeSpan.FromSeconds(10), $"usable again after {back.TotalSeconds:0.0} s");
        await Eventually.WaitUntil(async () => !(await c[0].ActiveAlarmIds()).Contains("bridge:w1"), Settle, "the alarm lowered");
    }

    private static async Task<(int Code, string Out)> Ctl(DaemonProcess d, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var code = await Appliance.Ctl.Cli.RunAsync(["--socket", d.SocketPath, .. args], new StringReader(""), output, new StringWriter()).WaitAsync(Settle);
        return (code, output.ToString());
    }

    [Fact(Timeout = 180_000)]
    public async Task SharedRecord_IsWrittenOnChangeOnly_WhileTheLiveViewKeepsProbing()
    {
        var sim = await StartSimAsync();
        await AddBridgeAsync("w2", sim);
        await WaitState(1, "w2", 0, BridgeStates.Usable);
        var shared = (string?)(await Row(c[1], "w2", c.Host(0)))["lastSeen"];
        // Three more probes on p1 (its own row is live) ...
        var seen = new HashSet<string?>();
        await Eventually.WaitUntil(async () => seen.Add((string?)(await Row(c[0], "w2", c.Host(0)))["lastSeen"]) && seen.Count >= 4, Settle, "p1 probes again", pollMs: 250);
        // ... and none of them was replicated: nothing but lastSeen changed, and that is refreshed once a minute.
        Assert.Equal(shared, (string?)(await Row(c[1], "w2", c.Host(0)))["lastSeen"]);

        // A change of capacity is shared at once.
        using (var client = new Appliance.Daemon.Bridges.BridgeClient(new("w2", sim.Address, "http", BridgeSimProcess.HttpPort, BridgeSimFixture.User, BridgeSimFixture.Password, "mcu", 5060, "udp")))
        {
            await client.CallAsync("sim.set", new() { ["ports"] = 30 }, default);
        }
        await WaitState(1, "w2", 0, BridgeStates.Usable, also: r => (int?)r["max"] == 30);
    }

    [Fact(Timeout = 180_000)]
    public async Task WrongPassword_IsAuthFailed_WithAnAlarm()
    {
        var sim = await StartSimAsync();
        await AddBridgeAsync("w3", sim, password: "not-the-password");
        await WaitState(0, "w3", 0, BridgeStates.AuthFailed, also: r => ((string)r["reason"]!).Contains("user 'conductor'", StringComparison.Ordinal));
        await WaitState(1, "w3", 1, BridgeStates.AuthFailed);
        Assert.Contains("bridge:w3", await c[0].ActiveAlarmIds());
    }

    [Fact(Timeout = 180_000)]
    public async Task Https_CheckedAgainstEachPeersTrustedCa_AnUntrustedCertificateIsRefused_NamingIt()
    {
        var address = LoopbackAddresses.Next();
        var ca = TestPki.Ca("bridge lab CA");
        var cert = TestPki.Server(ca, "bridge.lab", address: IPAddress.Parse(address));
        File.WriteAllText(_dir["cert.pem"], TestPki.Pem(cert));
        File.WriteAllText(_dir["key.pem"], TestPki.KeyPem(cert));
        var sim = new BridgeSimProcess(address, ["--https", $"{address}:{BridgeSimProcess.HttpsPort}", "--cert", _dir["cert.pem"], "--key", _dir["key.pem"],
            "--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password]);
        _sims.Add(sim);
        await sim.StartAsync();

        await c[0].Api("certificates.addCa", new JsonObject { ["name"] = "lab", ["pem"] = TestPki.Pem(ca) });
        await c[0].Api("certificates.addCa", new JsonObject { ["name"] = "other", ["pem"] = TestPki.Pem(TestPki.Ca("other CA")) });
        await c[0].Set("certificates.trustedCa", "lab");
        await AddBridgeAsync("w4", sim, "https");

        // p1 trusts the lab CA; p2 selected none, so the system's CAs decide and refuse.
        await WaitState(0, "w4", 0, BridgeStates.Usable);
        await WaitState(0, "w4", 1, BridgeStates.Refused, also: r => ((string)r["reason"]!).Contains("not trusted by the system's CAs", StringComparison.Ordinal));

        await c[0].Set("certificates.trustedCa", "other");
        await WaitState(0, "w4", 0, BridgeStates.Refused, also: r => (string)r["reason"]! is var why
            && why.Contains("certificate 'CN=bridge.lab'", StringComparison.Ordinal)
            && why.Contains("not trusted by certificates.trustedCa 'other'", StringComparison.Ordinal));
        await c[0].Set("certificates.trustedCa", "lab");
        await WaitState(0, "w4", 0, BridgeStates.Usable);
    }

    [Fact(Timeout = 60_000)]
    public async Task BridgeStatus_IsNotOperatorConfiguration()
    {
        var e = await Assert.ThrowsAsync<DaemonApiException>(() => c[0].Add("bridge-status", "x", ("state", "usable"), ("since", "2026-01-01T00:00:00Z")));
        Assert.Contains("written by each peer from what it observes (see `bridges status`)", e.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("bridge-status", (await c[0].ShowAll()), StringComparison.Ordinal);
    }

    /// <summary>The test daemons ask bridges on loopback only (--bridge-watch-networks 127.0.0.0/8, DaemonProcess): one elsewhere is a record, never called.</summary>
    [Fact(Timeout = 60_000)]
    public async Task ABridgeOutsideTheWatchedNetworks_IsNotAsked_AndSaysWhy()
    {
        _bridges.Add("off-net");
        await c[0].Add("bridges", "off-net", ("address", "198.18.9.9"), ("protocol", "http"));
        await Eventually.WaitUntil(async () => await Row(c[0], "off-net", c.Host(0)) is var r && (string?)r["state"] == BridgeStates.Probing
            && ((string?)r["reason"] ?? "").Contains("outside --bridge-watch-networks", StringComparison.Ordinal), Settle, "off-net not watched",
            async () => (await Row(c[0], "off-net", c.Host(0))).ToJsonString());
        Assert.Null((await Row(c[0], "off-net", c.Host(0)))["lastSeen"]);
        Assert.DoesNotContain("bridge:off-net", await c[0].ActiveAlarmIds());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The bridges go with the test (the cluster stays for the next one).</summary>
    public async Task DisposeAsync()
    {
        foreach (var name in _bridges)
        {
            try { await c[0].Remove("bridges", name); }
            catch (DaemonApiException) { }
        }
        foreach (var sim in _sims) await sim.DisposeAsync();
        _dir.Dispose();
    }
}
