using System.Text.Json.Nodes;
using Appliance.Daemon.Node;
using Appliance.Hal.Lcd;

namespace Appliance.Tests.Appliers;

/// <summary>Which changes open the network confirm window, in-process (issue 20, point 2).</summary>
public class NetworkWindowTests
{
    [Fact]
    public async Task FrontPanel_ChangesTheAddress_WithoutAWindow()
    {
        await using var f = NodeFixture.Start();
        var panel = PanelBinding.Create(f.Node, f.Node.ConfigContext);

        Assert.Null(panel.SetIpv4(new Daemon.Lcd.PanelIpv4Settings("198.18.0.10", "255.255.255.0", "198.18.0.1")));
        Assert.Null(panel.SetSpeed("100full"));

        Assert.Null(f.Node.NetworkWindow.Current);
        Assert.Equal("198.18.0.10", f.Node.Config.LanAddress);
    }

    [Theory]
    [InlineData("ethernet.speed", "100full", "test", true)]
    [InlineData("ipv4.gateway", "", "test", false)] // no change: no window
    [InlineData("ipv4.address", "198.18.0.20", "console", false)]
    [InlineData("ipv4.address", "198.18.0.20", "web", true)]
    [InlineData("ipv4.additional", "198.18.0.21", "cli", false)]
    public async Task AWindowOpens_ForAGuardedChange_FromAfar(string path, string value, string channel, bool opens)
    {
        await using var f = NodeFixture.Start();
        Assert.True(f.Node.Router.TryGet("config.set", out var set));

        var values = value.Length == 0 ? new JsonArray() : new JsonArray(value);
        var result = await set(new Daemon.Api.ApiRequest("config.set", new JsonObject { ["path"] = path, ["values"] = values }, "admin", channel), CancellationToken.None);

        Assert.Equal(opens, result!["confirmBy"] is not null);
        Assert.Equal(opens, f.Node.NetworkWindow.Current is not null);
        if (opens)
            Assert.Contains(path, f.Node.NetworkWindow.Current!.Value.Changed);
    }

    [Fact]
    public async Task TheLcdStatusScreen_CountsDownAnOpenWindow_AndShowsTheAlarmsAgainOnceConfirmed()
    {
        await using var f = NodeFixture.Start();
        var panel = new SimulatedFrontPanel();
        var service = f.Node.CreatePanel(panel)!;
        await service.StartAsync(CancellationToken.None);
        try
        {
            await f.Call("config.set", new JsonObject { ["path"] = "ipv4.address", ["values"] = new JsonArray("198.18.0.30") });
            await NodeFixture.Eventually(() => panel.Lines[3].StartsWith("Unconfirmed net ", StringComparison.Ordinal), () => string.Join(" | ", panel.Lines));
            Assert.Matches("^Unconfirmed net [0-9]+s$", panel.Lines[3].TrimEnd());
            Assert.True(panel.Lines[3].Length <= Cfa635Protocol.Columns);

            await f.Call("config.confirm");
            await NodeFixture.Eventually(() => panel.Lines[3].Contains("alarm", StringComparison.Ordinal), () => string.Join(" | ", panel.Lines));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
