using System.Text.Json.Nodes;
using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>
/// Files in and out through appliancectl against a real daemon (issue 16, point 2): a backup leaves
/// as a download into a local file or stdout, comes back as an upload from a file or stdin, and the
/// daemon is never given a path.
/// </summary>
public sealed class CtlTransferTests : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(60);
    private readonly StandaloneDaemon _d = new();

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task A_backup_downloaded_to_a_file_restores_from_that_file()
    {
        await _d.Daemon.Api("config.set", new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray("before") });
        var copy = _d["here.tar.gz"];
        var created = await Ctl(null, null, "backup", "create", "--out", copy);
        Assert.Equal(ExitCodes.Ok, created.Code);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));
        var name = Path.GetFileName(Directory.GetFiles(Path.Combine(_d["data"], "backups")).Single());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_d["data"], "backups", name)), await File.ReadAllBytesAsync(copy));
        Assert.False(File.Exists(copy + ".partial"));

        var again = await Ctl(null, null, "backup", "download", name, copy);
        Assert.Equal(ExitCodes.Usage, again.Code);
        Assert.Contains("exists", again.Err);

        await _d.Daemon.Api("config.set", new JsonObject { ["path"] = "system.hostname", ["values"] = new JsonArray("after") });
        var restored = await Ctl(null, null, "backup", "restore", copy, "--yes");
        Assert.Equal(ExitCodes.Ok, restored.Code);
        Assert.Contains("restarts", restored.Out);
        await Eventually.WaitUntil(async () => (string?)(await _d.Daemon.Api("status"))["host"] == "before", T, "the restored host name after the restart");
    }

    [Fact(Timeout = 120_000)]
    public async Task An_encrypted_backup_goes_out_on_stdout_and_comes_back_on_stdin()
    {
        await File.WriteAllTextAsync(_d["pw"], "a backup password\n");
        var stdout = new MemoryStream();
        var created = await Ctl(null, stdout, "backup", "create", "--password-file", _d["pw"], "--out", "-");
        Assert.Equal(ExitCodes.Ok, created.Code);
        Assert.Equal(""u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(created.Out)); // stdout carries the backup alone
        Assert.Equal("APBK"u8.ToArray(), stdout.ToArray()[..4]);

        var both = await Ctl(null, null, "backup", "restore", "-", "--password-stdin", "--yes");
        Assert.Equal(ExitCodes.Usage, both.Code);
        var restored = await Ctl(new MemoryStream(stdout.ToArray()), null, "backup", "restore", "-", "--password-file", _d["pw"], "--yes");
        Assert.Equal(ExitCodes.Ok, restored.Code);
        Assert.Contains("restarts", restored.Out);
    }

    [Fact(Timeout = 60_000)]
    public async Task Oversized_or_missing_inputs_are_refused_here_and_nothing_is_sent()
    {
        await File.WriteAllTextAsync(_d["big.keys"], new string('k', 70_000));
        var big = await Ctl(null, null, "licence", "add", _d["big.keys"]);
        Assert.Equal(ExitCodes.Usage, big.Code);
        Assert.Contains("larger than 65536 bytes", big.Err);

        var noSig = await Ctl(new MemoryStream([1, 2, 3]), null, "upgrade", "-", "--yes");
        Assert.Equal(ExitCodes.Usage, noSig.Code);
        Assert.Contains("--signature", noSig.Err);

        // Over SSH the .sig file is on the other side: its line itself is accepted, and it reaches the daemon.
        var lineSig = await Ctl(new MemoryStream([1, 2, 3]), null, "upgrade", "-", "--signature", "ECDSA-P256-SHA256 AAAA", "--yes");
        Assert.Equal(ExitCodes.Rejected, lineSig.Code);
        Assert.Contains("not 64 bytes", lineSig.Err);

        var restore = await Ctl(null, null, "backup", "restore", _d["no-such.tar.gz"], "--yes");
        Assert.Equal(ExitCodes.Usage, restore.Code);
        Assert.Contains("cannot read", restore.Err);
    }

    /// <summary>appliancectl in-process, with <paramref name="stdin"/> and <paramref name="stdout"/> as its binary streams.</summary>
    private async Task<(int Code, string Out, string Err)> Ctl(Stream? stdin, Stream? stdout, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var host = new CliHost(new StringReader(""), output, error)
        {
            BinaryIn = () => stdin ?? throw new InvalidOperationException("this test gives no stdin"),
            BinaryOut = () => stdout ?? throw new InvalidOperationException("this test gives no stdout"),
        };
        var code = await Cli.RunAsync(["--socket", _d.Daemon.SocketPath, .. args], host, CancellationToken.None).WaitAsync(T);
        return (code, output.ToString(), error.ToString());
    }
}
