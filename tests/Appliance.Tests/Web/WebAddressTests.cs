using System.Net.Sockets;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Web;

/// <summary>
/// Without a fixed --web-bind (the appliance), the pages listen on the management address and follow
/// it when it changes: an operator who gives the box a new address on the front panel finds the
/// pages there, not on the old one. The "web" applier does it, and `status` shows it.
/// </summary>
public sealed class WebAddressTests : IAsyncLifetime
{
    private const int Port = 8444; // no other test listens on it: this daemon starts on any address
    private readonly StandaloneDaemon _d = new(extraArgs: ["--web-port", $"{Port}"]);

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 90_000)]
    public async Task The_pages_follow_the_management_address()
    {
        var first = LoopbackAddresses.Next();
        await WebClient.WaitServingAsync(first, Port); // no LAN address yet: any address
        var address = LoopbackAddresses.Next();
        await _d.Daemon.Api("config.set", new JsonObject { ["path"] = "ipv4.address", ["values"] = new JsonArray(address) });
        await _d.Daemon.Api("config.confirm");

        await WebClient.WaitServingAsync(address, Port);
        await Eventually.WaitUntil(async () =>
        {
            using var probe = new TcpClient();
            try { await probe.ConnectAsync(first, Port); return false; }
            catch (SocketException) { return true; }
        }, TimeSpan.FromSeconds(30), $"{first}:{Port} no longer answers");
        var events = (await _d.Daemon.Api("log.read", new JsonObject { ["log"] = "events" })).ToJsonString();
        Assert.Contains($"HTTPS administration on https://{address}:{Port}/", events);
        // Moved by an applier like the others: `status` lists it with what it serves.
        var web = (await _d.Daemon.Api("status"))["appliers"]!.AsArray().Single(a => (string?)a!["name"] == "web")!;
        Assert.Equal("applied", (string?)web["state"]);
        Assert.Equal($"serving https://{address}:{Port}/", (string?)web["reason"]);
    }
}
