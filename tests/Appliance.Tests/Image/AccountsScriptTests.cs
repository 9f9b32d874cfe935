using Appliance.Daemon.Config;
using Appliance.Tests.Harness;
using Appliance.Tests.Support;

namespace Appliance.Tests.Image;

/// <summary>
/// image/overlay/usr/local/sbin/appliance-accounts, run for real with the real chpasswd against a
/// temporary root (-R: chpasswd chroots into it, hence root only). This machine's /etc/shadow is
/// never touched: the temp root has its own passwd, group, shadow and login.defs.
/// </summary>
public sealed class AccountsScriptTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private string Root => _dir["root"];
    private string Request => _dir["passwords"];
    private string Shadow => Path.Combine(Root, "etc", "shadow");

    public void Dispose() => _dir.Dispose();

    private void MakeRoot()
    {
        var etc = Path.Combine(Root, "etc");
        Directory.CreateDirectory(etc);
        File.WriteAllText(Path.Combine(etc, "passwd"), "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/usr/local/bin/appliance-shell\n");
        File.WriteAllText(Path.Combine(etc, "group"), "root:x:0:\nshadow:x:42:\nadmin:x:1000:\n");
        File.WriteAllText(Shadow, "root:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n");
        File.SetUnixFileMode(Shadow, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Copy("/etc/login.defs", Path.Combine(etc, "login.defs"));
    }

    private static string Script => Path.Combine(ImageBootTests.RepoRoot(), "image", "overlay", "usr", "local", "sbin", "appliance-accounts");

    private Task<CommandResult> RunAsync() => HostCommand.TryRunAsync("sh", [Script, "-f", Request, "-R", Root]);

    private string ShadowHash(string account) =>
        File.ReadAllLines(Shadow).Select(l => l.Split(':')).Single(f => f[0] == account)[1];

    [RootFact]
    public async Task Hashes_the_daemon_writes_reach_shadow_and_verify_there()
    {
        MakeRoot();
        var admin = PasswordHash.Hash("console pw");
        var root = PasswordHash.Hash("root pw");
        File.WriteAllText(Request, $"admin:{admin}\nroot:{root}\n");

        var run = await RunAsync();
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("admin root", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(admin, ShadowHash("admin"));
        Assert.Equal(root, ShadowHash("root"));
        Assert.True(PasswordHash.Verify(ShadowHash("admin"), "console pw"));
        Assert.False(PasswordHash.Verify(ShadowHash("admin"), "root pw"));
    }

    [RootFact]
    public async Task A_foreign_line_applies_nothing()
    {
        MakeRoot();
        var before = File.ReadAllText(Shadow);
        File.WriteAllText(Request, $"admin:{PasswordHash.Hash("pw")}\nbob:{PasswordHash.Hash("pw")}\n");
        var run = await RunAsync();
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nothing applied", run.Stderr, StringComparison.Ordinal);

        File.WriteAllText(Request, $"admin:{PasswordHash.LegacyPbkdf2.Hash("pw", PasswordHash.LegacyPbkdf2.MinIterations)}\n");
        Assert.Equal(1, (await RunAsync()).ExitCode);
        Assert.Equal(before, File.ReadAllText(Shadow));
    }

    [RootFact]
    public async Task No_request_file_or_an_empty_one_is_not_an_error()
    {
        MakeRoot();
        var before = File.ReadAllText(Shadow);
        Assert.Equal(0, (await RunAsync()).ExitCode);
        File.WriteAllText(Request, "");
        Assert.Equal(0, (await RunAsync()).ExitCode);
        Assert.Equal(before, File.ReadAllText(Shadow));
    }
}
