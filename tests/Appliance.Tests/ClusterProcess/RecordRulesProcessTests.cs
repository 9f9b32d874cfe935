using System.Text.Json.Nodes;
using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Issue 18, points 4-6, 8, 9 and 13 on real daemons: the rules between records refuse a typed value
/// (naming field, value and rule) and raise an alarm for records that break them by arriving from a
/// peer; `cluster check` wants a rendezvous address per peer, warns of a shared host name, and exits 2
/// on a failure; `cluster show` follows a rename.
/// </summary>
public class RecordRulesProcessTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(45);

    [Fact(Timeout = 180_000)]
    public async Task LocationAddresses_AreUniqueAcrossLocationsAndPeers_AndNameALocationThatStaysWhileUsed()
    {
        await using var c = await TestCluster.StartAsync(2);
        await c[0].Set("ipv4.address", "10.31.0.1");
        await c[1].Set("ipv4.address", "10.31.0.2");
        await c.FormAsync();
        await c[0].Add("locations", "oslo");
        await c[0].Add("locations", "bergen");
        await c[0].Add("location-addresses", "oslo", ("rendezvous", "10.31.1.1"));
        await Eventually.WaitUntil(async () => (await PeerItems(c[1], "location-addresses", c.Host(0))).ContainsKey("oslo")
            && (await c[1].Items("locations")).ContainsKey("bergen"), Settle, "p1's locations and addresses on p2");

        // Point 4: the same address under another location of another peer, a management or cluster address.
        var otherPeer = await Refused(c[1].Add("location-addresses", "bergen", ("rendezvous", "10.31.1.1")), "location-addresses.bergen.rendezvous", "10.31.1.1");
        Assert.Contains("peer 1's rendezvous address for location oslo", otherPeer.ErrorMessage, StringComparison.Ordinal);
        var management = await Refused(c[0].Add("location-addresses", "bergen", ("adhoc", "10.31.0.1")), "location-addresses.bergen.adhoc", "10.31.0.1");
        Assert.Contains("management address", management.ErrorMessage, StringComparison.Ordinal);
        await Refused(c[0].Add("location-addresses", "bergen", ("adhoc", "10.31.0.2")), "location-addresses.bergen.adhoc", "10.31.0.2");
        var cluster = await Refused(c[0].Add("location-addresses", "bergen", ("adhoc", c.Address(1))), "location-addresses.bergen.adhoc", c.Address(1));
        Assert.Contains("cluster address", cluster.ErrorMessage, StringComparison.Ordinal);
        await Refused(c[0].Add("location-addresses", "bergen", ("adhoc", "10.31.1.1")), "location-addresses.bergen.adhoc", "10.31.1.1");

        // Point 5: addresses for a location that does not exist; a location with addresses stays.
        var missing = await Refused(c[1].Add("location-addresses", "trondheim", ("adhoc", "10.31.1.9")), "location-addresses.name", "trondheim");
        Assert.Contains("config add locations trondheim", missing.ErrorMessage, StringComparison.Ordinal);
        await c[1].Add("location-addresses", "bergen", ("rendezvous", "10.31.1.2"));
        await Eventually.WaitUntil(async () => (await PeerItems(c[0], "location-addresses", c.Host(1))).ContainsKey("bergen"), Settle, "p2's bergen addresses on p1");
        var held = await Refused(c[0].Remove("locations", "bergen"), "locations", "bergen");
        Assert.Contains("peer 2", held.ErrorMessage, StringComparison.Ordinal);
        Assert.True((await c[0].Items("locations")).ContainsKey("bergen"));
        Assert.False((await c[1].Items("location-addresses")).ContainsKey("trondheim"));

        await c[1].Remove("location-addresses", "bergen");
        await Eventually.WaitUntil(async () => !(await PeerItems(c[0], "location-addresses", c.Host(1))).ContainsKey("bergen"), Settle, "p2's removal on p1");
        await c[0].Remove("locations", "bergen");
    }

    [Fact(Timeout = 180_000)]
    public async Task Conference_NamesAnExistingBridgeAndTemplate_WithinItsMaximum_AndWhatItUsesStays()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("bridges", "b1", ("address", "198.18.2.10"));
        await c[0].Add("templates", "t5", ("maxParticipants", "5"));
        await Eventually.WaitUntil(async () => (await c[1].Items("templates")).ContainsKey("t5"), Settle, "p1's bridge and template on p2");

        const string started = "2026-01-01T10:00:00Z";
        await Refused(c[1].Add("conferences", "c1", ("bridge", "nowhere"), ("template", "t5"), ("started", started)), "conferences.c1.bridge", "nowhere");
        await Refused(c[1].Add("conferences", "c1", ("bridge", "b1"), ("started", started)), "conferences.c1.template", null);
        await Refused(c[1].Add("conferences", "c1", ("bridge", "b1"), ("template", "t9"), ("started", started)), "conferences.c1.template", "t9");
        await Refused(c[1].Add("conferences", "c1", ("bridge", "b1"), ("template", "t5"), ("participants", "6"), ("started", started)), "conferences.c1.participants", "6");
        Assert.Empty(await c[1].Items("conferences"));

        await c[1].Add("conferences", "c1", ("bridge", "b1"), ("template", "t5"), ("participants", "3"), ("started", started));
        await Eventually.WaitUntil(async () => (await c[0].Items("conferences")).ContainsKey("c1"), Settle, "the conference on p1");
        var bridge = await Refused(c[0].Remove("bridges", "b1"), "bridges", "b1");
        Assert.Contains("live conference c1", bridge.ErrorMessage, StringComparison.Ordinal);
        await Refused(c[0].Remove("templates", "t5"), "templates", "t5");
        await Refused(c[0].Set("templates.t5.maxParticipants", "2"), "templates.t5.maxParticipants", "2");
        await Refused(c[0].Set("conferences.c1.participants", "9"), "conferences.c1.participants", "9");

        await c[1].Remove("conferences", "c1");
        await Eventually.WaitUntil(async () => !(await c[0].Items("conferences")).ContainsKey("c1"), Settle, "the conference's end on p1");
        await c[0].Remove("bridges", "b1");
        await c[0].Remove("templates", "t5");
    }

    /// <summary>
    /// Each peer makes a change that is valid as far as it knows while the other is down; together they
    /// break the rules. Both peers keep the records (the same data everywhere) and raise an alarm for
    /// each record that breaks one, until an operator fixes it.
    /// </summary>
    [Fact(Timeout = 240_000)]
    public async Task RecordsThatBreakARuleByArrivingFromAPeer_RaiseAnAlarmEach_UntilFixed()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[0].Add("locations", "oslo");
        await c[0].Add("locations", "bergen");
        await c[0].Add("bridges", "b2", ("address", "198.18.2.20"));
        await c[0].Add("templates", "t1");
        await Eventually.WaitUntil(async () => (await c[1].Items("templates")).ContainsKey("t1") && (await c[1].Items("locations")).Count == 2,
            Settle, "the shared items on p2");

        await c[1].StopAsync();
        await c[0].Add("location-addresses", "oslo", ("rendezvous", "10.32.1.1"));
        await c[0].StopAsync();
        await c[1].StartAsync();
        await c[1].Add("location-addresses", "bergen", ("rendezvous", "10.32.1.1"));
        await c[1].Add("conferences", "live1", ("bridge", "b2"), ("template", "t1"), ("participants", "2"), ("started", "2026-01-01T10:00:00Z"));
        await c[1].StopAsync();
        await c[0].StartAsync();
        await c[0].Remove("bridges", "b2");
        await c[0].Remove("locations", "bergen");
        await c[1].StartAsync();
        await c.WaitAllActiveAsync();

        foreach (var peer in c.Peers)
        {
            await Eventually.WaitUntil(async () => (await peer.RuleAlarms()).Count == 3, Settle, $"three rule alarms on {peer.Name}",
                async () => string.Join("\n", (await peer.RuleAlarms()).Select(a => $"{a["id"]}: {a["text"]}")));
            var alarms = await peer.RuleAlarms();
            var conference = Assert.Single(alarms, a => ((string)a["id"]!).EndsWith("cluster/conferences/live1", StringComparison.Ordinal));
            Assert.Contains("conferences.live1.bridge: \"b2\" is not a bridge", (string)conference["text"]!, StringComparison.Ordinal);
            var bergen = Assert.Single(alarms, a => ((string)a["id"]!).EndsWith("/location-addresses/bergen", StringComparison.Ordinal));
            Assert.Contains("names no location", (string)bergen["text"]!, StringComparison.Ordinal);
            var oslo = Assert.Single(alarms, a => ((string)a["id"]!).EndsWith("/location-addresses/oslo", StringComparison.Ordinal));
            Assert.Contains("\"10.32.1.1\" is already peer 2's rendezvous address for location bergen", (string)oslo["text"]!, StringComparison.Ordinal);
            Assert.Equal("error", (string?)oslo["severity"]);
        }
        // Kept, not dropped: both peers hold the same records.
        Assert.True((await c[0].Items("conferences")).ContainsKey("live1"));

        await c[1].Remove("location-addresses", "bergen");
        await c[1].Remove("conferences", "live1");
        foreach (var peer in c.Peers)
        {
            await Eventually.WaitUntil(async () => (await peer.RuleAlarms()).Count == 0, Settle, $"the rule alarms lowered on {peer.Name}",
                async () => string.Join("\n", (await peer.RuleAlarms()).Select(a => $"{a["id"]}: {a["text"]}")));
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task ClusterCheck_FailsWithoutARendezvousAddressPerPeer_AndExitsTwoOnAnyFailure()
    {
        await using var c = await TestCluster.StartAsync(2);
        for (var i = 0; i < 2; i++)
        {
            await c[i].Set("ipv4.address", $"10.33.0.{i + 1}");
            await c[i].Set("dns.servers", "198.18.0.53");
            await c[i].Set("system.domain", "example.test");
        }
        await c.FormAsync();

        var (code, checks) = await Check(c[0]);
        Assert.Equal("fail", checks["rendezvous address"].State);
        Assert.Contains("this peer has no additional address", checks["rendezvous address"].Detail, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Rejected, code);

        await c[0].Set("ipv4.additional", "10.33.1.1");
        // Peer 2 is weighed once this peer's link knows which member it is (a link may still be
        // reconnecting just after the join under load): wait for that rather than read once.
        await Eventually.WaitUntil(async () => (await Check(c[0])).Checks["rendezvous address"] is { State: "fail" } r
            && r.Detail.Contains("peer 2 has no additional address", StringComparison.Ordinal), Settle, "p1's check names p2 as missing its address",
            async () => (await Check(c[0])).Checks["rendezvous address"].ToString());

        await c[1].Set("ipv4.additional", "10.33.1.2");
        await Eventually.WaitUntil(async () => (await Check(c[0])).Checks["rendezvous address"].State == "ok", Settle, "p2's address seen on p1");
        // The exit code follows the checks: 2 while any fails (here perhaps ntp on this host), else 0; warnings do not count.
        (code, checks) = await Check(c[0]);
        Assert.Equal(checks.Values.Any(v => v.State == "fail") ? ExitCodes.Rejected : ExitCodes.Ok, code);
        Assert.All(checks.Where(kv => kv.Key != "ntp" && !kv.Key.EndsWith(" rtt", StringComparison.Ordinal)), kv => Assert.NotEqual("fail", kv.Value.State));
    }

    [Fact(Timeout = 180_000)]
    public async Task ClusterShow_ShowsAPeersCurrentHostName_AfterARename()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[1].Set("system.hostname", "renamed");
        await Eventually.WaitUntil(async () => await ShownHost(c[0], c.Address(1)) == "renamed", Settle, "p1 shows p2's new name",
            async () => (await c[0].Api("cluster.show")).ToJsonString());
        Assert.Equal("Active as renamed", await c[0].PeerStatus(c.Address(1)));
    }

    [Fact(Timeout = 180_000)]
    public async Task SameHostName_IsWarned_ByAnAlarmAndClusterCheck_UntilOneIsRenamed()
    {
        await using var c = await TestCluster.StartFormedAsync(2);
        await c[1].Set("system.hostname", c.Host(0));
        await Eventually.WaitUntil(async () => (await c[0].Alarms()).Any(a => (string?)a["id"] == "same-host-name:" + c.Host(0) && string.IsNullOrEmpty((string?)a["lowered"])),
            Settle, "the same-host-name warning on p1", async () => (await c[0].Api("alarms")).ToJsonString());
        var alarm = (await c[0].Alarms()).First(a => (string?)a["id"] == "same-host-name:" + c.Host(0));
        Assert.Equal("warning", (string?)alarm["severity"]);
        var (_, checks) = await Check(c[0]);
        Assert.Equal("warn", checks["host name unique"].State);
        Assert.Contains("peer 2", checks["host name unique"].Detail, StringComparison.Ordinal);

        await c[1].Set("system.hostname", "renamed");
        await Eventually.WaitUntil(async () => !(await c[0].ActiveAlarmIds()).Contains("same-host-name:" + c.Host(0)), Settle, "the warning lowered");
        Assert.Equal("ok", (await Check(c[0])).Checks["host name unique"].State);
    }

    private static async Task<DaemonApiException> Refused(Task<JsonNode> call, string field, string? value)
    {
        var e = await Assert.ThrowsAsync<DaemonApiException>(() => call);
        Assert.Equal("validation", e.Kind);
        Assert.Equal(field, (string?)e.Error["field"]);
        Assert.Equal(value, (string?)e.Error["value"]);
        Assert.False(string.IsNullOrEmpty((string?)e.Error["rule"]), e.ErrorMessage);
        return e;
    }

    private static async Task<Dictionary<string, JsonObject>> PeerItems(DaemonProcess d, string section, string peer)
    {
        var shown = await d.Api("config.show", new JsonObject { ["section"] = section, ["peer"] = peer });
        return shown["sections"]![0]!["items"]!.AsArray().Select(i => i!.AsObject()).ToDictionary(i => (string)i["name"]!, i => i);
    }

    private static async Task<string?> ShownHost(DaemonProcess d, string address) =>
        (await d.Api("cluster.show"))["peers"]!.AsArray().Select(p => p!.AsObject()).Where(p => (string?)p["address"] == address).Select(p => (string?)p["host"]).FirstOrDefault();

    /// <summary>`appliancectl --json cluster check` as a script runs it: the exit code and the checks by name.</summary>
    private static async Task<(int Code, Dictionary<string, (string State, string Detail)> Checks)> Check(DaemonProcess d)
    {
        var output = new StringWriter { NewLine = "\n" };
        var code = await Cli.RunAsync(["--socket", d.SocketPath, "--json", "cluster", "check"], new StringReader(""), output, new StringWriter()).WaitAsync(TimeSpan.FromSeconds(30));
        var checks = JsonNode.Parse(output.ToString())!["checks"]!.AsArray()
            .ToDictionary(x => (string)x!["check"]!, x => ((string)x!["state"]!, (string)x["detail"]!));
        return (code, checks);
    }
}
