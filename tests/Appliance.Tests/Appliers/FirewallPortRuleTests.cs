using System.Text.Json.Nodes;
using Appliance.Hal;

namespace Appliance.Tests.Appliers;

/// <summary>
/// firewall.*.port has one rule: config add, config set and firewall stage accept the same ports and
/// ranges and refuse the others with the same message, and what they accept runs on the host.
/// </summary>
public sealed class FirewallPortRuleTests
{
    private static JsonObject Fields(string port) => new() { ["priority"] = "10", ["protocol"] = "udp", ["port"] = port, ["action"] = "accept" };

    private static async Task<string> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return "accepted";
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }

    [Theory]
    [InlineData("5060", true)]
    [InlineData("5060-5061", true)]
    [InlineData("10000-20000", true)]
    [InlineData("1-65535", true)]
    [InlineData("20000-10000", false)]
    [InlineData("5060-5060", false)]
    [InlineData("0-10", false)]
    [InlineData("65536", false)]
    [InlineData("1-2-3", false)]
    [InlineData("sip", false)]
    public async Task Add_set_and_stage_agree_on_a_port(string port, bool accepted)
    {
        await using var f = NodeFixture.Start();
        var added = await Outcome(async () =>
        {
            await f.Call("config.add", new JsonObject { ["section"] = "firewall", ["name"] = "p", ["fields"] = Fields(port) });
            await f.Call("config.remove", new JsonObject { ["section"] = "firewall", ["name"] = "p" });
        });
        await f.Call("config.add", new JsonObject { ["section"] = "firewall", ["name"] = "p", ["fields"] = Fields("5060") });
        var set = await Outcome(() => f.Set("firewall.p.port", port));
        await f.Call("config.remove", new JsonObject { ["section"] = "firewall", ["name"] = "p" });
        var staged = await Outcome(async () =>
        {
            var args = Fields(port);
            args["name"] = "p";
            await f.Call("firewall.stage", args);
        });

        Assert.Equal(added, set);
        Assert.Equal(added, staged);
        if (accepted)
            Assert.Equal("accepted", added);
        else
            Assert.StartsWith($"firewall.p.port: \"{port}\" is not a port from 1 to 65535 or a range like 10000-20000", added);
    }

    [Fact]
    public async Task A_wide_range_runs_as_one_rule()
    {
        await using var f = NodeFixture.Start();
        var args = Fields("10000-20000");
        args["name"] = "media";
        await f.Call("firewall.stage", args);
        await f.Call("firewall.activate", new JsonObject { ["seconds"] = "60" });
        await NodeFixture.Eventually(() => f.Hal.Firewall.ReadBackAsync().Result?.Ruleset.OperatorRules.Count == 1, () => "the range is not running");
        var rule = (await f.Hal.Firewall.ReadBackAsync())!.Ruleset.OperatorRules[0];
        Assert.Equal((10000, 20000), (rule.Port, rule.LastPort));
        Assert.Contains("udp dport 10000-20000 accept", ((SimulatedFirewall)f.Hal.Firewall).ActiveScript);
    }
}
