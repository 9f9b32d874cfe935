using System.Diagnostics;
using System.Text;
using Appliance.Ctl;

namespace Appliance.Tests.Image;

/// <summary>
/// image/overlay/usr/local/bin/appliance-shell, the admin account's ForceCommand: it must split a
/// command exactly as appliancectl's interactive shell does, and never let a shell see it. Runs the
/// real script with bash; only the appliancectl path is pointed at a recorder script.
/// </summary>
public sealed class AdminShellTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("appliance-shell-").FullName;
    private readonly string _wrapper;

    public AdminShellTests()
    {
        var source = Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "usr", "local", "bin", "appliance-shell");
        var recorder = Path.Combine(_dir, "recorder");
        // Prints each argument followed by NUL, so the test sees the exact words and nothing else.
        File.WriteAllText(recorder, "#!/bin/sh\nfor a; do printf '%s\\0' \"$a\"; done\n");
        File.SetUnixFileMode(recorder, (UnixFileMode)0b111_101_101);
        var text = File.ReadAllText(source);
        const string ctlLine = "CTL=/usr/local/bin/appliancectl";
        Assert.Contains(ctlLine, text);
        _wrapper = Path.Combine(_dir, "appliance-shell");
        File.WriteAllText(_wrapper, text.Replace(ctlLine, "CTL=" + recorder));
        File.SetUnixFileMode(_wrapper, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("status --json")]
    [InlineData("  config   set system.hostname  app1 ")]
    [InlineData("config add bridges b1 \"description=two words\" address=198.18.0.50")]
    [InlineData("say \"a \\\"quoted\\\" word\" back\\slash \"c:\\\\dir\"")]
    [InlineData(";id")]
    [InlineData("sh -c id")]
    [InlineData("status; id && id | id $(id) `id` * ~ $HOME")]
    [InlineData("\"\" empty-word")]
    [InlineData("tab\tseparated")]
    public async Task SplitsLikeTheCliShellAndPassesWordsVerbatim(string line)
    {
        var (code, words, _) = await RunAsync(line);
        Assert.Equal(0, code);
        Assert.Equal(Tokenizer.Split(line), words);
    }

    [Fact]
    public async Task NoCommandStartsTheInteractiveShell()
    {
        var (code, words, _) = await RunAsync(null);
        Assert.Equal(0, code);
        Assert.Empty(words);
    }

    [Theory]
    [InlineData("\"unclosed", "a double quote is not closed")]
    [InlineData("status\nid", "control characters")]
    [InlineData("status --socket /tmp/other.sock", "--socket is not available")]
    [InlineData("status --socket=/tmp/other.sock", "--socket is not available")]
    [InlineData("internal-sftp", "sftp transfer@HOST")]
    [InlineData("/usr/lib/openssh/sftp-server", "sftp transfer@HOST")]
    [InlineData("scp -t /tmp", "transfer@HOST")]
    public async Task RefusesWithAClearMessage(string line, string message)
    {
        var (code, words, stderr) = await RunAsync(line);
        Assert.Equal(1, code);
        Assert.Empty(words);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task FilesAreNamedInTheTransferArea()
    {
        File.WriteAllText(Path.Combine(_dir, "recorder"), "#!/bin/sh\nprintf '%s\\0' \"$APPLIANCE_FILE_AREA\"\n");
        var (code, words, _) = await RunAsync("backup create --out x.tar.gz");
        Assert.Equal(0, code);
        Assert.Equal(["/var/lib/appliance/transfer/files"], words);
    }

    [Fact]
    public async Task LoginShellDashCUsesTheGivenCommandUnlessItIsItself()
    {
        var (_, words, _) = await RunAsync(null, "-c", "status \"x y\"");
        Assert.Equal(["status", "x y"], words);
        (_, words, _) = await RunAsync(null, "-c", "/usr/local/bin/appliance-shell");
        Assert.Empty(words);
    }

    private async Task<(int Code, List<string> Words, string StdErr)> RunAsync(string? sshCommand, params string[] args)
    {
        var psi = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(_wrapper);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("SSH_ORIGINAL_COMMAND");
        if (sshCommand is not null) psi.Environment["SSH_ORIGINAL_COMMAND"] = sshCommand;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            await p.WaitForExitAsync().WaitAsync(Limit);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
        var raw = await stdout.WaitAsync(Limit);
        // Every word ends in NUL: drop the last one, then an empty word stays an empty string.
        List<string> words = raw.Length == 0 ? [] : [.. raw[..^1].Split('\0')];
        return (p.ExitCode, words, await stderr.WaitAsync(Limit));
    }
}
