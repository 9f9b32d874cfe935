using System.Diagnostics;
using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.Lifecycle;

/// <summary>
/// On the appliance the admin's shell sets APPLIANCE_FILE_AREA (issue 17, point 1): every file a
/// command names is a plain name inside the transfer area, which the `transfer` account reaches
/// with sftp/scp, and nothing else. Runs the real appliancectl process against a real daemon.
/// </summary>
public sealed class CtlFileAreaTests : IAsyncLifetime
{
    private readonly StandaloneDaemon _d = new();
    private string Area => _d["area"];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Area);
        await _d.Daemon.StartAsync();
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 120_000)]
    public async Task A_backup_goes_into_the_area_group_readable_and_comes_back_from_it()
    {
        var created = await Ctl("backup", "create", "--out", "box.tar.gz");
        Assert.True(created.Code == ExitCodes.Ok, created.Err);
        var file = Path.Combine(Area, "box.tar.gz");
        // The transfer account fetches it through the area's group.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(file));
        Assert.False(File.Exists(file + ".partial"));

        var restored = await Ctl("backup", "restore", "box.tar.gz", "--yes");
        Assert.True(restored.Code == ExitCodes.Ok, restored.Err);
        Assert.Contains("restarts", restored.Out);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("backup", "create", "--out", "../escape.tar.gz")]
    [InlineData("backup", "create", "--out", "/tmp/escape.tar.gz")]
    [InlineData("licence", "add", "/etc/hostname")]
    [InlineData("licence", "add", "sub/dir.keys")]
    [InlineData("licence", "add", ".hidden")]
    [InlineData("upgrade", "pkg.tar.gz", "--signature", "/etc/hostname", "--yes")]
    public async Task A_path_outside_the_area_is_refused_and_nothing_is_written(params string[] args)
    {
        var result = await Ctl(args);
        Assert.Equal(ExitCodes.Usage, result.Code);
        Assert.Contains("transfer area", result.Err);
        Assert.False(File.Exists(Path.Combine(_d.Root, "escape.tar.gz")));
        Assert.False(File.Exists("/tmp/escape.tar.gz"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_symbolic_link_in_the_area_is_never_followed()
    {
        File.CreateSymbolicLink(Path.Combine(Area, "keys"), "/etc/hostname");
        var read = await Ctl("licence", "add", "keys");
        Assert.Equal(ExitCodes.Usage, read.Code);
        Assert.Contains("symbolic link", read.Err);

        File.CreateSymbolicLink(Path.Combine(Area, "out.tar.gz"), Path.Combine(_d.Root, "elsewhere.tar.gz"));
        var write = await Ctl("backup", "create", "--out", "out.tar.gz");
        Assert.Equal(ExitCodes.Usage, write.Code);
        Assert.Contains("exists", write.Err);
        Assert.False(File.Exists(Path.Combine(_d.Root, "elsewhere.tar.gz")));
    }

    private async Task<(int Code, string Out, string Err)> Ctl(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "appliancectl.dll"), "--socket", _d.Daemon.SocketPath, .. args])
            psi.ArgumentList.Add(a);
        psi.Environment[LocalFile.AreaVariable] = Area;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
        try { await p.WaitForExitAsync(timeout.Token); }
        finally { if (!p.HasExited) p.Kill(); }
        return (p.ExitCode, await stdout, await stderr);
    }
}
