using Appliance.Hal;
using Appliance.Tests.Harness;
using Xunit.Abstractions;

namespace Appliance.Tests.Hal;

public sealed class LinkSettingsTests(ITestOutputHelper output)
{
    [Fact]
    public void Speed_text_round_trips_and_bad_text_names_the_choices()
    {
        foreach (var text in LinkSpeedText.All)
            Assert.Equal(text, LinkSpeedText.Parse(text).ToText());
        Assert.Equal(LinkSpeed.Speed100Full, LinkSpeedText.Parse(" 100FULL "));
        var e = Assert.Throws<FormatException>(() => LinkSpeedText.Parse("1000half"));
        Assert.Contains("'1000half'", e.Message);
        Assert.Contains("auto, 10half, 10full, 100half, 100full, 1000full", e.Message);
    }

    [RootFact]
    public async Task Veth_speed_reads_or_reports_clearly()
    {
        using var ns = new TestNamespace();
        Host.Run("ip", "-n", ns.Name, "link", "add", "lt0", "type", "veth", "peer", "name", "lt1");
        var link = new LinuxLinkSettings(ns.Name);
        try
        {
            var status = await link.ReadAsync("lt0").WaitAsync(Host.Unexpected);
            output.WriteLine(status.ToString());
            Assert.Equal("lt0", status.Interface);
            Assert.Equal("ethtool", status.Source);
        }
        catch (LinkSettingsException e)
        {
            output.WriteLine(e.Message);
            Assert.Contains("'lt0'", e.Message);
        }
    }

    [RootFact]
    public async Task Setting_speed_on_veth_is_refused_with_a_clear_error()
    {
        using var ns = new TestNamespace();
        Host.Run("ip", "-n", ns.Name, "link", "add", "lt0", "type", "veth", "peer", "name", "lt1");
        var link = new LinuxLinkSettings(ns.Name);
        var e = await Assert.ThrowsAsync<LinkSettingsException>(() => link.ApplyAsync("lt0", LinkSpeed.Speed100Full).WaitAsync(Host.Unexpected));
        output.WriteLine(e.Message);
        Assert.Contains("'lt0'", e.Message);
        Assert.Contains("100full", e.Message);
        Assert.Contains("not applied", e.Message);
        Assert.Contains($"errno {e.Errno}", e.Message);
        Assert.True(e.NotSupportedByDriver);
        Assert.Equal(LinkSpeed.Speed100Full, e.Requested);
    }

    [RootFact]
    public async Task Missing_interface_and_bad_names_are_reported()
    {
        using var ns = new TestNamespace();
        var link = new LinuxLinkSettings(ns.Name);
        var e = await Assert.ThrowsAsync<LinkSettingsException>(() => link.ReadAsync("nosuch0").WaitAsync(Host.Unexpected));
        Assert.Contains("'nosuch0'", e.Message);
        Assert.Contains("No such device", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => link.ApplyAsync("../etc", LinkSpeed.Auto));
        Assert.Throws<LinkSettingsException>(() => new LinuxLinkSettings("applt-missing-ns").ReadAsync("lo").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Simulated_link_keeps_what_was_applied()
    {
        var link = new SimulatedLinkSettings();
        Assert.True((await link.ReadAsync("eth0")).AutoNegotiation);
        await link.ApplyAsync("eth0", LinkSpeed.Speed10Half);
        var s = await link.ReadAsync("eth0");
        Assert.Equal((10, LinkDuplex.Half, false), (s.SpeedMbps!.Value, s.Duplex, s.AutoNegotiation));
    }
}
