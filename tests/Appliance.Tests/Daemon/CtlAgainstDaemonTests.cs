using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>appliancectl end to end against a real applianced: exit codes, --json, and the key kept secret.</summary>
public partial class CtlAgainstDaemonTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(30);
    private readonly StandaloneDaemon _d = new(bind: true);

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    private async Task<(int Code, string Out, string Err)> Ctl(params string[] args) => await CtlIn("", args);

    private async Task<(int Code, string Out, string Err)> CtlIn(string stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = await Cli.RunAsync(["--socket", _d.Daemon.SocketPath, .. args], new StringReader(stdin), output, error).WaitAsync(T);
        return (code, output.ToString(), error.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task ExitCodes_MeanWhatTheySay()
    {
        Assert.Equal(ExitCodes.Ok, (await Ctl("status")).Code);
        Assert.Equal(ExitCodes.Ok, (await Ctl("config", "set", "system.hostname", "ctl-host")).Code);

        var usage = await Ctl("frobnicate");
        Assert.Equal(ExitCodes.Usage, usage.Code);
        Assert.Contains("frobnicate", usage.Err, StringComparison.Ordinal);

        var rejected = await Ctl("config", "set", "ipv4.gateway", "not-an-address");
        Assert.Equal(ExitCodes.Rejected, rejected.Code);
        Assert.Contains("ipv4.gateway", rejected.Err, StringComparison.Ordinal);
        var missing = await Ctl("config", "remove", "bridges", "nosuchbridge");
        Assert.Equal(ExitCodes.Rejected, missing.Code);

        var output = new StringWriter();
        var error = new StringWriter();
        var unreachable = await Cli.RunAsync(["--socket", _d["nobody-listens.sock"], "status"], new StringReader(""), output, error).WaitAsync(T);
        Assert.Equal(ExitCodes.Unreachable, unreachable);
        Assert.Contains("nobody-listens.sock", error.ToString(), StringComparison.Ordinal);

        Assert.Equal("ctl-host", (string?)(await _d.Daemon.Api("status"))["host"]); // the rejected changes stored nothing
    }

    [Fact(Timeout = 60_000)]
    public async Task ClusterCheck_ExitsTwo_WhileACheckFails_InTablesAndJsonAlike()
    {
        // A fresh standalone peer has no DNS server, domain, licence or rendezvous address: checks fail.
        var table = await Ctl("cluster", "check");
        Assert.Equal(ExitCodes.Rejected, table.Code);
        Assert.Contains("fail", table.Out, StringComparison.Ordinal);
        var json = await Ctl("--json", "cluster", "check");
        Assert.Equal(ExitCodes.Rejected, json.Code);
        Assert.Contains(JsonNode.Parse(json.Out)!["checks"]!.AsArray(), c => (string?)c!["state"] == "fail");
    }

    [Fact(Timeout = 60_000)]
    public async Task JsonOutput_ParsesForEveryReadCommand()
    {
        await _d.Daemon.Add("bridges", "b1", ("address", "10.9.8.7"));
        foreach (var words in new[] { new[] { "status" }, ["config", "show"], ["config", "show", "bridges"], ["config", "get", "system.hostname"],
                     ["cluster", "show"], ["alarms"], ["log", "events"], ["log", "config"], ["config", "sections"] })
        {
            var (code, output, error) = await Ctl(["--json", .. words]);
            Assert.True(code == 0, $"{string.Join(' ', words)}: exit {code}: {error}");
            Assert.IsType<JsonObject>(JsonNode.Parse(output));
        }
        var bridges = JsonNode.Parse((await Ctl("--json", "config", "show", "bridges")).Out)!;
        Assert.Equal("10.9.8.7", (string?)bridges["sections"]![0]!["items"]![0]!["address"]);

        var failed = await Ctl("--json", "config", "set", "ipv4.gateway", "nope");
        Assert.Equal(ExitCodes.Rejected, failed.Code);
    }

    [Fact(Timeout = 90_000)]
    public async Task SetKey_FromStdinOfTheRealBinary_NeverShowsTheKey_AnywhereOrOnDisk()
    {
        const string key = "Zebra-Quartz-7741-never-print-me";
        var (code, _, err) = await RunBinaryAsync(key + "\n", "cluster", "set-key");
        Assert.True(code == 0, err);
        Assert.Equal(0, (await Ctl("cluster", "set-peers", _d.Daemon.Bind!)).Code);
        Assert.Equal("set", (string?)(await _d.Daemon.Api("cluster.show"))["key"]);

        var seen = new List<string>();
        foreach (var words in new[] { new[] { "config", "show" }, ["config", "show", "cluster"], ["config", "get", "cluster.key"],
                     ["cluster", "show"], ["log", "config"], ["log", "events"], ["status"], ["alarms"] })
        {
            var plain = await Ctl(words);
            var json = await Ctl(["--json", .. words]);
            seen.AddRange([plain.Out, plain.Err, json.Out, json.Err]);
        }
        Assert.All(seen, s => Assert.DoesNotContain(key, s, StringComparison.Ordinal));
        var logs = Path.Combine(_d.Daemon.DataDir, "logs");
        foreach (var file in Directory.EnumerateFiles(logs, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(key, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.DoesNotContain(key, _d.Daemon.Output, StringComparison.Ordinal);

        // And it is not accepted on the command line at all.
        var onArgv = await Ctl("cluster", "set-key", key);
        Assert.Equal(ExitCodes.Usage, onArgv.Code);
        Assert.DoesNotContain(key, onArgv.Err, StringComparison.Ordinal);
    }

    /// <summary>The built appliancectl as its own process (apphost when present, else `dotnet appliancectl.dll`).</summary>
    private async Task<(int Code, string Out, string Err)> RunBinaryAsync(string stdin, params string[] args)
    {
        var dir = AppContext.BaseDirectory;
        var apphost = Path.Combine(dir, "appliancectl");
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(dir, "appliancectl.dll") } };
        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.Environment[Cli.SocketVariable] = _d.Daemon.SocketPath;
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        try { await process.WaitForExitAsync().WaitAsync(T); }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
