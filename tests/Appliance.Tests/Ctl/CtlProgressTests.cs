using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Ctl;

/// <summary>
/// Long transfers show their progress (issue 20, point 8): a line with percent, bytes and rate on a
/// terminal (tmux), JSON progress events on stderr with --json while stdout keeps the one result.
/// </summary>
public class CtlProgressTests(ITestOutputHelper output)
{
    [Fact(Timeout = 180_000)]
    public async Task BackupCreateAndRestore_InTheShell_ShowAProgressLine()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var file = Path.Combine(d.Root, "b.tar.gz");
        await using var terminal = await CtlShell.StartAsync(d, output.WriteLine);

        await terminal.TypeAsync($"backup create --out {file}");
        var screen = await terminal.WaitForAsync("serial");
        Assert.Matches(@"receiving \S+_backup\.tar\.gz  100%  [0-9.]+ [kM]?B of [0-9.]+ [kM]?B  [0-9.]+ [kMG]?B/s", screen);

        await terminal.TypeAsync($"backup restore {file}");
        await terminal.WaitForAsync("Continue? [y/N]");
        await terminal.TypeAsync("y");
        screen = await terminal.WaitForAsync("100%", count: 2);
        Assert.Matches(@"sending the backup \S+b\.tar\.gz  100%  [0-9.]+ [kM]?B of [0-9.]+ [kM]?B  [0-9.]+ [kMG]?B/s", screen);
    }

    [Fact(Timeout = 120_000)]
    public async Task WithJson_ProgressEventsGoToStderr_AndStdoutIsTheResult()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        var file = Path.Combine(d.Root, "b.tar.gz");

        var created = await CtlProcess.RunAsync(d.Daemon.SocketPath, "--json", "backup", "create", "--out", file);

        Assert.True(created.Code == 0, created.Err);
        var bytes = (long)JsonNode.Parse(created.Out)!["bytes"]!;
        var events = created.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["progress"]!).ToList();
        Assert.NotEmpty(events);
        var last = events[^1];
        Assert.True((bool)last["done"]!);
        Assert.Equal(100, (int)last["percent"]!);
        Assert.Equal(bytes, (long)last["bytes"]!);
        Assert.Equal(bytes, (long)last["total"]!);
        Assert.NotNull(last["bytesPerSecond"]);
    }
}
