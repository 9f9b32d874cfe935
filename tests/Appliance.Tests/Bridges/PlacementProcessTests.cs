using System.Text.Json.Nodes;
using Appliance.Daemon.Config;
using Appliance.Tests.Licensing;
using Appliance.Tests.Support;

namespace Appliance.Tests.Bridges;

/// <summary>
/// Placement on a real peer's state (`conferences place`): the aliases and pools from the
/// configuration, the bridge's health from the watcher probing a real bridgesim, and the cluster's
/// licences, decided by the same code the SIP trunk uses.
/// </summary>
public class PlacementProcessTests(BridgeClusterFixture fixture) : IClassFixture<BridgeClusterFixture>
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(40);
    private readonly TestCluster c = fixture.Cluster;

    private Task<JsonNode> Place(string alias) => c[0].Api("conferences.place", new JsonObject { ["alias"] = alias });

    [Fact(Timeout = 180_000)]
    public async Task ConferencesPlace_FollowsAliasesLicencesAndTheBridgesHealth()
    {
        await using var sim = new BridgeSimProcess(LoopbackAddresses.Next(), ["--user", BridgeSimFixture.User, "--password", BridgeSimFixture.Password, "--ports", "12"]);
        await sim.StartAsync();
        await c[0].Add("bridges", "pl1", ("address", sim.Address), ("protocol", "http"), ("port", $"{BridgeSimProcess.HttpPort}"),
            ("user", BridgeSimFixture.User), ("password", BridgeSimFixture.Password), ("type", "mcu"));
        await c[0].Add("bridge-pools", "pool-pl", ("bridges", "pl1"));
        await c[0].Add("service-preferences", "pref-pl", ("pools", "pool-pl"));
        await c[0].Add("templates", "tpl-pl", ("preference", "pref-pl"));
        await c[0].Add("conference-aliases", "al-pl", ("pattern", @"meet\.(\d+)"), ("conference", "meet-$1"), ("role", "guest"),
            ("priority", "10"), ("template", "tpl-pl"));

        var unknown = await Place("nobody@example.com");
        Assert.Equal("notfound", (string?)unknown["outcome"]);
        Assert.Equal(404, (int?)unknown["sipStatus"]);

        // No option key yet: a matched alias is refused for the licences, naming them.
        var noLicence = await Place("meet.42");
        Assert.Equal("unavailable", (string?)noLicence["outcome"]);
        Assert.Equal("meet-42", (string?)noLicence["conference"]);
        Assert.Contains("multiparty licences exhausted", (string)noLicence["reason"]!, StringComparison.Ordinal);

        var serial = (string)(await c[0].Api("licence.show"))["serial"]!;
        await c[0].Api("licence.add", new JsonObject { ["key"] = TestVendorKey.Issuer().IssueOption(serial, 5, 10) });
        await Eventually.WaitUntil(async () => (string?)(await Place("meet.42"))["outcome"] == "create", Settle,
            "meet.42 placed on pl1 once the bridge is usable", async () => (await Place("meet.42")).ToJsonString());
        var placed = await Place("meet.42");
        Assert.Equal("pl1", (string?)placed["bridge"]);
        Assert.Equal("tpl-pl", (string?)placed["template"]);
        Assert.Equal("guest", (string?)placed["role"]);

        // The bridge dies: the watcher sees it and placement refuses with the bridge's state.
        sim.Kill();
        await Eventually.WaitUntil(async () => (string?)(await Place("meet.42"))["outcome"] == "unavailable", Settle,
            "meet.42 refused once pl1 is down", async () => (await Place("meet.42")).ToJsonString());
        var refused = await Place("meet.42");
        Assert.Equal(503, (int?)refused["sipStatus"]);
        Assert.Contains("no usable bridge in service preference pref-pl", (string)refused["reason"]!, StringComparison.Ordinal);
        Assert.Contains(BridgeStates.Unreachable, (string)refused["reason"]!, StringComparison.Ordinal);

        var bad = await Assert.ThrowsAsync<DaemonApiException>(() => c[0].Api("conferences.place", new JsonObject()));
        Assert.Contains("alias", bad.ErrorMessage, StringComparison.Ordinal);
    }
}
