namespace Appliance.Tests.Ctl;

public class CtlProcessTests
{
    [Fact]
    public async Task BuiltBinary_TalksToTheSocket_AndReturnsTheExitCode()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("status", """{"host":"node-a","version":"1.0.0"}""");
        daemon.Fail("config.set", """{"kind":"validation","message":"not an address","field":"ipv4.gateway","value":"x"}""");

        var ok = await RunAsync("--json", "status");
        var rejected = await RunAsync("config", "set", "ipv4.gateway", "x");

        Assert.Equal(0, ok.Code);
        Assert.Equal("node-a", (string)System.Text.Json.Nodes.JsonNode.Parse(ok.Out)!["host"]!);
        Assert.Equal(2, rejected.Code);
        Assert.Contains("error: not an address", rejected.Err);

        Task<CtlResult> RunAsync(params string[] args) => CtlProcess.RunAsync(daemon.SocketPath, args);
    }
}
