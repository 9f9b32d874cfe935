using System.Text.Json.Nodes;
using Appliance.Tests.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.ClusterProcess;

/// <summary>
/// Issue 21 on a real daemon through its API and the built appliancectl: the placement chain's
/// rules refuse a change naming field, value and rule, and keep what was stored; `conferences show`
/// lists the shared status; help shows the new sections.
/// </summary>
public class ConferencingConfigProcessTests
{
    [Fact(Timeout = 120_000)]
    public async Task The_placement_chain_is_refused_link_by_link_and_nothing_it_names_can_be_removed()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var api = d.Daemon;

        await Refused(api.Add("bridge-pools", "eu", ("bridges", "b1,b2")), "bridge-pools.eu.bridges", "b1", "is not a bridge (none is configured; add it with 'config add bridges b1 address=...')");
        await api.Add("bridges", "b1", ("address", "198.18.2.10"));
        await api.Add("bridges", "b2", ("address", "198.18.2.11"));
        await Refused(api.Add("bridge-pools", "eu", ("bridges", "b1,b2"), ("location", "oslo")), "bridge-pools.eu.location", "oslo", "is not one of the locations");
        await api.Add("locations", "oslo", ("trunkAddress", "198.18.0.5"), ("trunkTransport", "tls"));
        await api.Add("bridge-pools", "eu", ("bridges", "b1,b2"), ("location", "oslo"));
        await Refused(api.Add("service-preferences", "gold", ("pools", "eu,us")), "service-preferences.gold.pools", "us", "is not a bridge pool (configured: eu;");
        await api.Add("service-preferences", "gold", ("pools", "eu"));
        await Refused(api.Add("templates", "weekly", ("preference", "silver")), "templates.weekly.preference", "silver", "is not one of the service-preferences (configured: gold;");
        await api.Add("templates", "weekly", ("preference", "gold"));
        await Refused(api.Add("conference-aliases", "meet", ("pattern", @"meet\.(\d+)"), ("conference", "m-$1"), ("priority", "10"), ("template", "daily")),
            "conference-aliases.meet.template", "daily", "is not one of the templates (configured: weekly;");
        var regex = await Refused(api.Add("conference-aliases", "meet", ("pattern", @"(\d+)-\1"), ("conference", "m-$1"), ("priority", "10"), ("template", "weekly")),
            "conference-aliases.meet.pattern", @"(\d+)-\1", "cannot be matched without backtracking");
        Assert.Contains("NonBacktracking", regex.ErrorMessage, StringComparison.Ordinal);
        await Refused(api.Add("conference-aliases", "meet", ("pattern", @"meet\.(\d+)"), ("conference", "m-$2"), ("priority", "10"), ("template", "weekly")),
            "conference-aliases.meet.conference", "m-$2", "names group $2, which the pattern does not have (it has $1)");
        await api.Add("conference-aliases", "meet", ("pattern", @"meet\.(\d+)"), ("conference", "m-$1"), ("priority", "10"), ("template", "weekly"));
        await Refused(api.Set("bridge-pools.eu.bridges", "b1", "b9"), "bridge-pools.eu.bridges", "b9", "is not a bridge (configured: b1, b2;");

        // Removals: each refused naming who still names it; nothing is removed.
        await Refused(api.Remove("bridges", "b2"), "bridges", "b2", "is named in the bridges of bridge-pools eu; change or remove it first");
        await Refused(api.Remove("bridge-pools", "eu"), "bridge-pools", "eu", "is named in the pools of service-preferences gold; change or remove it first");
        await Refused(api.Remove("service-preferences", "gold"), "service-preferences", "gold", "is named in the preference of templates weekly; change or remove it first");
        await Refused(api.Remove("templates", "weekly"), "templates", "weekly", "is named in the template of conference-aliases meet; change or remove it first");
        await Refused(api.Remove("locations", "oslo"), "locations", "oslo", "is named in the location of bridge-pools eu; change or remove it first");
        foreach (var (section, name) in new[] { ("bridges", "b2"), ("bridge-pools", "eu"), ("service-preferences", "gold"), ("templates", "weekly"), ("locations", "oslo") })
            Assert.True((await api.Items(section)).ContainsKey(name), $"{section} {name} is still there");
        Assert.Equal(["b1", "b2"], (await api.Items("bridge-pools"))["eu"]["bridges"]!.AsArray().Select(b => (string)b!));

        // Undone from the top, each removal is allowed once nothing names it.
        await api.Remove("conference-aliases", "meet");
        await api.Remove("templates", "weekly");
        await api.Remove("service-preferences", "gold");
        await api.Remove("bridge-pools", "eu");
        await api.Remove("bridges", "b2");
        await api.Remove("locations", "oslo");
    }

    [Fact(Timeout = 120_000)]
    public async Task Conferences_show_lists_the_shared_status_with_the_peer_that_placed_each_and_help_shows_the_new_sections()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var api = d.Daemon;
        var me = (string)(await api.Api("status"))["peerId"]!;
        await api.Set("system.hostname", "conductor-a");
        await api.Add("bridges", "b1", ("address", "198.18.2.10"));
        await api.Add("templates", "t1");
        await api.Add("conferences", "meet-2", ("bridge", "b1"), ("template", "t1"), ("participants", "3"), ("started", "2026-11-25T10:05:00Z"), ("placedBy", me));
        await api.Add("conferences", "meet-1", ("bridge", "b1"), ("template", "t1"), ("participants", "2"), ("started", "2026-11-25T10:00:00Z"), ("placedBy", "f00d-peer"));

        var shown = await api.Api("conferences.show");
        Assert.Equal(2, (int)shown["live"]!);
        Assert.Equal(5, (int)shown["participants"]!);
        var rows = shown["conferences"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(["meet-1", "meet-2"], rows.Select(r => (string)r["name"]!)); // oldest first
        Assert.Equal("f00d-peer", (string?)rows[0]["placedBy"]); // a peer this one holds nothing of: its id
        Assert.Equal("conductor-a (this peer)", (string?)rows[1]["placedBy"]);
        Assert.Equal("2026-11-25T10:05:00Z", (string?)rows[1]["started"]);

        var table = await CtlProcess.RunAsync(d.Daemon.SocketPath, "--wide", "conferences", "show");
        Assert.Equal(0, table.Code);
        Assert.Contains("conductor-a (this peer)", table.Out, StringComparison.Ordinal);
        Assert.Contains("meet-1", table.Out, StringComparison.Ordinal);
        var json = await CtlProcess.RunAsync(d.Daemon.SocketPath, "--json", "conferences", "show");
        Assert.Equal(2, (int)JsonNode.Parse(json.Out)!["live"]!);

        var help = await CtlProcess.RunAsync(d.Daemon.SocketPath, "help", "config", "set", "conference-aliases");
        Assert.Equal(0, help.Code);
        var words = string.Join(' ', help.Out.Split('\n').Select(l => l.Trim())); // help wraps to 80 columns
        Assert.Contains("incoming call aliases and the conferences they make", words, StringComparison.Ordinal);
        Assert.Contains(".NET regular expression matching the whole alias", words, StringComparison.Ordinal);
        Assert.Contains("lower is tried first", words, StringComparison.Ordinal);
        var sections = await CtlProcess.RunAsync(d.Daemon.SocketPath, "--wide", "config", "sections");
        foreach (var section in new[] { "bridge-pools", "service-preferences", "conference-aliases" })
            Assert.Contains(section, sections.Out, StringComparison.Ordinal);
    }

    private static async Task<DaemonApiException> Refused(Task<JsonNode> call, string field, string value, string rule)
    {
        var e = await Assert.ThrowsAsync<DaemonApiException>(() => call);
        Assert.Equal("validation", e.Kind);
        Assert.Equal(field, (string?)e.Error["field"]);
        Assert.Equal(value, (string?)e.Error["value"]);
        Assert.Contains(rule, e.ErrorMessage, StringComparison.Ordinal);
        return e;
    }
}
