using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.Licensing;

/// <summary>
/// A default (test) build trusts the checked-in TEST key and says so wherever the trusted key is
/// shown: status and licence show, in text and --json, and the event log at start.
/// </summary>
public sealed class VendorKeyTests
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 90_000)]
    public async Task Status_and_licence_show_of_a_test_build_say_it_trusts_the_test_key()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        const string expected = "TEST (anyone holding the repository can sign; not for production)";
        foreach (var command in new[] { "status", "licence.show" })
            Assert.Equal(expected, (string?)(await d.Daemon.Api(command))["vendorKey"]);
        foreach (var words in new[] { new[] { "status" }, ["licence", "show"] })
        {
            var output = new StringWriter();
            var code = await Cli.RunAsync(["--socket", d.Daemon.SocketPath, .. words], new StringReader(""), output, new StringWriter()).WaitAsync(T);
            Assert.Equal(ExitCodes.Ok, code);
            Assert.Contains(expected, output.ToString(), StringComparison.Ordinal);
        }
        var events = (await d.Daemon.Api("log.read", new() { ["log"] = "events" }))["entries"]!.AsArray();
        Assert.Contains(events, e => (string?)e!["message"] == "vendor key: " + expected && (string?)e["level"] == "warning");
    }
}
