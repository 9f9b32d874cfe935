using System.Text.Json.Nodes;
using Appliance.Ctl;

namespace Appliance.Tests.Lifecycle;

/// <summary>Diagnostics run by the daemon for the restricted shell, against loopback only.</summary>
public partial class CtlAgainstDaemonTests
{
    [Fact(Timeout = 120_000)]
    public async Task Ping_Traceroute_Lookup_RunByTheDaemon_OnLoopback()
    {
        var ping = await Ctl("ping", "127.0.0.1", "--count", "2");
        var trace = await Ctl("traceroute", "127.0.0.1");
        var lookup = JsonNode.Parse((await Ctl("--json", "dns", "lookup", "localhost")).Out)!;

        Assert.True(ping.Code == ExitCodes.Ok, ping.Err);
        Assert.Contains("2 packets transmitted, 2 received", ping.Out, StringComparison.Ordinal);
        Assert.True(trace.Code == ExitCodes.Ok, trace.Err);
        Assert.Contains("traceroute to 127.0.0.1", trace.Out, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", lookup["addresses"]!.AsArray().Select(a => (string?)a), StringComparer.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("ping", "-f")]
    [InlineData("ping", "127.0.0.1;id")]
    [InlineData("ping", "$(id)")]
    [InlineData("traceroute", "-I")]
    [InlineData("traceroute", "224.0.0.1")]
    [InlineData("dns", "lookup", "bad name")]
    public async Task Diagnostics_RefuseAnythingButAHostOrAddress_NamingIt(params string[] words)
    {
        var r = await Ctl(words);

        Assert.Equal(ExitCodes.Rejected, r.Code);
        Assert.Contains(words[^1], r.Err, StringComparison.Ordinal);
        Assert.Contains("host name (RFC 1123) or a unicast IPv4 address", r.Err, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Ping_CountIsBounded()
    {
        var r = await Ctl("ping", "127.0.0.1", "--count", "11");
        Assert.NotEqual(ExitCodes.Ok, r.Code);
        Assert.Contains("count", r.Err, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task ShowInterfacesRoutesNtp_TheFamilyOperatorsKnow()
    {
        var interfaces = JsonNode.Parse((await Ctl("--json", "show", "interfaces")).Out)!["interfaces"]!.AsArray();
        var routes = await Ctl("show", "routes");
        var ntp = JsonNode.Parse((await Ctl("--json", "show", "ntp")).Out)!;

        var lo = Assert.Single(interfaces, i => (string?)i!["name"] == "lo")!;
        Assert.Contains("127.0.0.1/8", lo["addresses"]!.AsArray().Select(a => (string?)a), StringComparer.Ordinal);
        Assert.True(routes.Code == ExitCodes.Ok, routes.Err);
        Assert.Contains("destination", routes.Out, StringComparison.Ordinal);
        Assert.IsType<JsonArray>(ntp["servers"]);
        Assert.NotNull(ntp["synchronized"]);
    }
}
