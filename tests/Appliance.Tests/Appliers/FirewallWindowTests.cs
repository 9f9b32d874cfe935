using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Appliers;
using Appliance.Hal;

namespace Appliance.Tests.Appliers;

/// <summary>R16: staged vs active firewall, the accept window, rollback, and a window that survives a restart.</summary>
public sealed class FirewallWindowTests
{
    private static readonly JsonObject WebRule = new()
    {
        ["name"] = "web", ["priority"] = "10", ["source"] = "198.18.0.0/24", ["protocol"] = "tcp", ["port"] = "443", ["action"] = "accept",
    };

    private static async Task<IReadOnlyList<FirewallRule>> Running(NodeFixture f) =>
        (await f.Hal.Firewall.ReadBackAsync())?.Ruleset.OperatorRules ?? [];

    private static Task WaitRunning(NodeFixture f, int count) =>
        NodeFixture.Eventually(() => Running(f).Result.Count == count, () => $"running {Running(f).Result.Count} operator rules, want {count}");

    [Fact]
    public async Task Staging_changes_nothing_until_activate_and_accept_keeps_the_new_rules()
    {
        await using var f = NodeFixture.Start();
        await f.Settled(f.Appliers.Firewall);
        await f.Call("firewall.stage", (JsonObject)WebRule.DeepClone());
        var show = (await f.Call("firewall.show"))!;
        Assert.Single(show["staged"]!.AsArray());
        Assert.Empty(show["active"]!.AsArray());
        Assert.Empty(await Running(f));

        await f.Call("firewall.activate", new JsonObject { ["seconds"] = "2" });
        await WaitRunning(f, 1);
        Assert.StartsWith("activation waiting", (await f.Call("firewall.show"))!["window"]!.GetValue<string>());
        await f.Call("firewall.accept");
        await Task.Delay(2500);
        Assert.Single(await Running(f));
        Assert.Equal("none", (await f.Call("firewall.show"))!["window"]!.GetValue<string>());
        var rule = (await Running(f))[0];
        Assert.Equal((10, FirewallProtocol.Tcp, 443, FirewallAction.Accept), (rule.Priority, rule.Protocol, rule.Port!.Value, rule.Action));
    }

    [Fact]
    public async Task An_activation_not_accepted_rolls_back_by_itself()
    {
        await using var f = NodeFixture.Start();
        await f.Call("firewall.stage", (JsonObject)WebRule.DeepClone());
        // Long enough that a loaded machine still sees the rule running before the window closes.
        await f.Call("firewall.activate", new JsonObject { ["seconds"] = "4" });
        await WaitRunning(f, 1);
        await WaitRunning(f, 0);
        Assert.Empty((await f.Call("firewall.show"))!["active"]!.AsArray());
        Assert.Single((await f.Call("firewall.show"))!["staged"]!.AsArray());
        Assert.Contains(f.Node.Logs.Events.Read(), e => e.Message.Contains("rolled back"));
        var ex = await Assert.ThrowsAsync<ApiException>(() => f.Call("firewall.accept"));
        Assert.Equal(ApiException.Conflict, ex.Kind);
    }

    [Fact]
    public async Task Rollback_restores_the_previous_active_set_at_once()
    {
        await using var f = NodeFixture.Start();
        await f.Call("firewall.stage", (JsonObject)WebRule.DeepClone());
        await f.Call("firewall.activate");
        await f.Call("firewall.accept");
        await WaitRunning(f, 1);
        await f.Call("firewall.stage", new JsonObject { ["name"] = "sip", ["priority"] = "20", ["protocol"] = "udp", ["port"] = "5060-5061", ["action"] = "accept" });
        await f.Call("firewall.activate", new JsonObject { ["seconds"] = "60" });
        await WaitRunning(f, 2); // web + the range, one rule
        await f.Call("firewall.rollback");
        await WaitRunning(f, 1);
        Assert.Equal("none", (await f.Call("firewall.show"))!["window"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pending_window_survives_a_restart_and_still_rolls_back()
    {
        await using var f = NodeFixture.Start();
        await f.Call("firewall.stage", (JsonObject)WebRule.DeepClone());
        await f.Call("firewall.activate", new JsonObject { ["seconds"] = "3" });
        await WaitRunning(f, 1);
        await f.ReopenAsync();
        Assert.StartsWith("activation waiting", (await f.Call("firewall.show"))!["window"]!.GetValue<string>());
        await WaitRunning(f, 1);
        await WaitRunning(f, 0);
        Assert.Empty((await f.Call("firewall.show"))!["active"]!.AsArray());
    }

    [Fact]
    public async Task A_window_whose_deadline_passed_while_stopped_rolls_back_at_start()
    {
        await using var f = NodeFixture.Start();
        await f.Call("firewall.stage", (JsonObject)WebRule.DeepClone());
        await f.Call("firewall.activate", new JsonObject { ["seconds"] = "1" });
        await f.StopAsync();
        await Task.Delay(1500);
        await f.ReopenAsync(keepHal: false);
        await NodeFixture.Eventually(() => f.Appliers.FirewallWindow.Deadline is null && f.Appliers.FirewallWindow.Active.Count == 0, () => "window still open");
        await f.Settled(f.Appliers.Firewall);
        Assert.Empty(await Running(f));
    }

    [Fact]
    public async Task Stage_refuses_a_bad_rule_naming_the_field_and_activate_a_bad_window()
    {
        await using var f = NodeFixture.Start();
        await Assert.ThrowsAnyAsync<Exception>(() => f.Call("firewall.stage", new JsonObject { ["name"] = "x", ["priority"] = "1", ["protocol"] = "tcp", ["action"] = "accept" }));
        var ex = await Assert.ThrowsAsync<ApiException>(() => f.Call("firewall.activate", new JsonObject { ["seconds"] = "0" }));
        Assert.Equal("seconds", ex.Field);
        Assert.Empty(f.Appliers.FirewallWindow.Staged);
    }
}
