using System.Globalization;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Ctl;

/// <summary>
/// Long operations show their progress (issue 20, point 8) on a real daemon whose store is big
/// enough to take a moment: the daemon's phases (hashing, compressing, extracting) as one line
/// redrawn on a terminal (tmux), as JSON events on stderr before the result with --json, and on
/// stderr only in the streaming forms, whose stdout carries nothing but the data.
/// </summary>
public class CtlProgressTests(ITestOutputHelper output)
{
    /// <summary>A store of some 15 MB: a backup takes a moment, a test a few seconds.</summary>
    private const int Records = 30_000;

    private const string Figures = @"[0-9.]+ [KMG]?i?B of [0-9.]+ [KMG]?i?B  [0-9.]+ [KMG]?i?B/s";

    [Fact(Timeout = 240_000)]
    public async Task BackupAndRestore_InTheShell_ShowTheDaemonsPhasesOnOneLineRedrawnInPlace()
    {
        await using var d = await FilledDaemonAsync();
        await using var terminal = await CtlShell.StartAsync(d, output.WriteLine);

        await terminal.TypeAsync("backup create");
        var screen = await terminal.WaitForAsync("serial", TimeSpan.FromSeconds(120));
        Assert.Matches("backup compressing  100%  " + Figures, screen);
        // The earlier phases were drawn on the same line, and overwritten.
        Assert.DoesNotContain("backup hashing", screen, StringComparison.Ordinal);

        var name = Path.GetFileName(Directory.GetFiles(Path.Combine(d.Daemon.DataDir, "backups")).Single());
        await terminal.TypeAsync($"backup restore {name}");
        await terminal.WaitForAsync("Continue? [y/N]");
        await terminal.TypeAsync("y");
        screen = await terminal.WaitForAsync("restarts now", TimeSpan.FromSeconds(120));
        Assert.Matches("restore extracting  100%  " + Figures, screen);
    }

    [Fact(Timeout = 240_000)]
    public async Task WithJson_TheDaemonsProgressEventsComeBeforeTheResult_AndStdoutIsTheResultAlone()
    {
        await using var d = await FilledDaemonAsync();

        // stdout and stderr in one pipe, to see the order in which they were written.
        var merged = await RunShellAsync(d, $"{Ctl("--json", "backup", "create")} 2>&1");

        Assert.True(merged.Code == 0, merged.Out + merged.Err);
        var lines = merged.Out.Split('\n');
        var events = lines.TakeWhile(l => l.StartsWith("{\"progress\":", StringComparison.Ordinal))
            .Select(l => JsonNode.Parse(l)!["progress"]!.AsObject()).ToList();
        var result = JsonNode.Parse(string.Join('\n', lines.Skip(events.Count)))!;
        Assert.EndsWith("_backup.tar.gz", (string)result["name"]!, StringComparison.Ordinal);
        Assert.Equal(["snapshot", "hashing", "compressing"], events.Select(e => (string)e["phase"]!).Distinct());
        var last = events[^1];
        Assert.Equal("compressing", (string)last["phase"]!);
        Assert.Equal("bytes", (string)last["unit"]!);
        Assert.Equal(100, (int)last["percent"]!);
        Assert.True((long)last["done"]! > 1_000_000 && (long)last["done"]! == (long)last["total"]!, last.ToJsonString());
        Assert.True((double)last["rate"]! > 0, last.ToJsonString());
        var time = DateTime.Parse((string)last["time"]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.EndsWith("Z", (string)last["time"]!, StringComparison.Ordinal);
        Assert.True(Math.Abs((DateTime.UtcNow - time).TotalMinutes) < 5, $"time {last["time"]}");

        var separate = await CtlProcess.RunAsync(d.Daemon.SocketPath, "--json", "backup", "create");
        Assert.True(separate.Code == 0, separate.Err);
        Assert.EndsWith("_backup.tar.gz", (string)JsonNode.Parse(separate.Out)!["name"]!, StringComparison.Ordinal);
        Assert.Contains("{\"progress\":{\"phase\":\"compressing\"", separate.Err, StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task StreamingForms_DrawTheLineOnStderr_AndKeepStdoutClean()
    {
        await using var d = await FilledDaemonAsync();
        var file = Path.Combine(d.Root, "streamed.tar.gz");
        var script = $"{Ctl("backup", "create", "--out", "-")} > {file}; echo \"create=$?\"; " +
                     $"{Ctl("backup", "restore", "-", "--yes")} < {file}; echo \"restore=$?\"";
        await using var terminal = await TmuxTerminal.StartAsync(["sh", "-c", script],
            new Dictionary<string, string> { ["APPLIANCE_SOCKET"] = d.Daemon.SocketPath, ["HOME"] = d.Root, ["TERM"] = "xterm" },
            columns: 100, rows: 40, log: output.WriteLine);

        var screen = await terminal.WaitForAsync("restore=", TimeSpan.FromSeconds(180));

        Assert.Contains("create=0", screen, StringComparison.Ordinal);
        Assert.Contains("restore=0", screen, StringComparison.Ordinal);
        Assert.Matches("backup receiving  100%  " + Figures, screen);
        Assert.Matches("restore extracting  100%  " + Figures, screen);
        // stdout carried the backup and nothing else: the very bytes the appliance keeps.
        var kept = Directory.GetFiles(Path.Combine(d.Daemon.DataDir, "backups")).Single(f => f.EndsWith("_backup.tar.gz", StringComparison.Ordinal));
        Assert.Equal(await File.ReadAllBytesAsync(kept), await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public void TheLine_SaysPhasePercentAmountsAndRate()
    {
        var bytes = JsonNode.Parse("""{"phase":"extracting","unit":"bytes","done":12897484,"total":30513561,"percent":42,"rate":8493465.5}""")!.AsObject();
        Assert.Equal("restore extracting  42%  12.3 MiB of 29.1 MiB  8.1 MiB/s", Appliance.Ctl.Progress.Line("restore", bytes));
        var records = JsonNode.Parse("""{"phase":"copying","unit":"records","done":4200,"total":10000,"percent":42,"rate":1500}""")!.AsObject();
        Assert.Equal("join copying  42%  4,200 of 10,000 records  1,500 records/s", Appliance.Ctl.Progress.Line("join", records));
        var unknown = JsonNode.Parse("""{"phase":"snapshot","unit":"bytes","done":0,"total":null,"percent":null,"rate":0}""")!.AsObject();
        Assert.Equal("backup snapshot", Appliance.Ctl.Progress.Line("backup", unknown));
    }

    /// <summary>A daemon whose store holds <see cref="Records"/> conferences (written while it was stopped).</summary>
    private static async Task<StandaloneDaemon> FilledDaemonAsync()
    {
        var d = new StandaloneDaemon();
        try
        {
            await d.Daemon.StartAsync();
            await d.Daemon.StopAsync();
            StoreFill.Locations(d.Daemon.DataDir, "progress", Records);
            await d.Daemon.StartAsync();
            return d;
        }
        catch
        {
            await d.DisposeAsync();
            throw;
        }
    }

    /// <summary>appliancectl's command line for sh, each word quoted.</summary>
    private static string Ctl(params string[] args) => string.Join(' ', CtlProcess.Command(args).Select(w => $"'{w}'"));

    private static async Task<CtlResult> RunShellAsync(StandaloneDaemon d, string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.Environment["APPLIANCE_SOCKET"] = d.Daemon.SocketPath;
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return new CtlResult(process.ExitCode, await stdout, await stderr);
    }
}
