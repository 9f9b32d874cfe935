using Appliance.Tests.Harness;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>
/// appliancectl's shell in a real 80-column terminal (tmux) against a real applianced, driven as
/// an admin over SSH would drive it: `?` for what may come next, Tab for values, and output that
/// fits the window.
/// </summary>
public sealed class ShellInTerminalTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(40);
    private const string Prompt = "appliance> ";
    private readonly StandaloneDaemon _d = new();

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    private async Task<TmuxTerminal> ShellAsync()
    {
        var dir = AppContext.BaseDirectory;
        var apphost = Path.Combine(dir, "appliancectl");
        string[] argv = File.Exists(apphost) ? [apphost] : ["dotnet", Path.Combine(dir, "appliancectl.dll")];
        var terminal = await TmuxTerminal.StartAsync(argv, new Dictionary<string, string>
        {
            ["APPLIANCE_SOCKET"] = _d.Daemon.SocketPath,
            ["HOME"] = _d.Root,
            ["TERM"] = "xterm",
        });
        await terminal.WaitForAsync(Prompt, T);
        return terminal;
    }

    [Fact(Timeout = 180_000)]
    public async Task QuestionMark_ShowsWhatMayComeNext_AndTab_CompletesValues()
    {
        await using var t = await ShellAsync();

        await t.Type("config set ethernet.speed ");
        await t.Keys("Tab", "Tab");
        await t.WaitForAsync("1000full  100full  100half  10full  10half  auto", T);

        await t.Type("?");
        await t.WaitForAsync("VALUE for ethernet.speed: one of auto, 10half", T);
        // The `?` asked; it was not typed into the line, which stands as it was under the help (redrawn just after it).
        var line = "";
        await Support.Eventually.WaitUntil(async () => (line = (await t.ScreenAsync()).Split('\n').Last(l => l.Trim().Length > 0).TrimEnd()) == Prompt + "config set ethernet.speed",
            T, "the line redrawn under the help as it was", () => Task.FromResult(line));

        await t.Keys("C-u");
        await t.Type("show ?");
        await t.WaitForAsync("= config show", T);
        var show = await t.WaitForAsync("this peer's network interfaces", T);
        Assert.Matches(@"\n  interfaces +this peer's network interfaces", show);

        await t.Keys("C-u");
        await t.Type("config set time.zone Europe/Os");
        await t.Keys("Tab", "Enter");
        await t.WaitForAsync("new   Europe/Oslo", T);
        Assert.Equal("Europe/Oslo", (string?)(await _d.Daemon.Api("config.get", new() { ["path"] = "time.zone" }))["value"]);

        await t.Type("config add firewall web prot");
        await t.Keys("Tab", "Tab", "Tab");
        await t.WaitForAsync("protocol=any  protocol=icmp  protocol=tcp  protocol=udp", T);
    }

    [Fact(Timeout = 180_000)]
    public async Task Status_And_ConfigShow_FitEightyColumns_WithNothingLost()
    {
        const string description = "the long corridor on the third floor behind the server room, next to the stairs that lead to the roof";
        await _d.Daemon.Api("config.add", new() { ["section"] = "locations", ["name"] = "hq", ["fields"] = new System.Text.Json.Nodes.JsonObject { ["description"] = description } });
        await using var t = await ShellAsync();

        await t.Type("status");
        await t.Keys("Enter");
        await t.WaitForAsync(Prompt, T, times: 2);
        await t.Type("config show");
        await t.Keys("Enter");
        var screen = await t.WaitForAsync(Prompt, T, times: 3);

        var lines = screen.Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, $"{l.TrimEnd().Length} columns: {l}"));
        Assert.Contains(lines, l => l.StartsWith("uptime ", StringComparison.Ordinal));
        Assert.Contains("TEST (anyone holding the repository can sign; not for production)", string.Join(' ', lines.Select(l => l.Trim())), StringComparison.Ordinal);
        // The locations table has more columns than 80 fit on one line each: the description wraps in
        // its cell, beside the other columns' cells, so every one of its words is on screen.
        var words = string.Join(' ', lines).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        Assert.All(description.Split(' '), w => Assert.Contains(w.TrimEnd(','), words.Select(x => x.TrimEnd(','))));
    }
}
