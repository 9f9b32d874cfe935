using Appliance.Ctl;
using Appliance.Tests.Support;

namespace Appliance.Tests.Ctl;

/// <summary>`backup create|restore` take the password from a file or stdin, never from argv.</summary>
public class CtlBackupPasswordTests
{
    private const string Password = "backup-password-42";

    [Fact]
    public async Task Create_with_password_stdin_sends_it_and_never_prints_the_password()
    {
        await using var daemon = new FakeDaemon();
        daemon.Ok("backup.create", """{"name":"1.0.0_S_20261125_120000_backup.tar.gz.enc"}""");

        var r = await CtlRun.RunWithStdinAsync(daemon, Password + "\n", "backup", "create", "--password-stdin");

        Assert.Equal(0, r.Code);
        var args = Assert.Single(daemon.Requests)["args"]!;
        Assert.Equal(Password, (string)args["password"]!);
        Assert.Null(args["dir"]);
        Assert.Null(args["passwordStdin"]);
        Assert.DoesNotContain(Password, r.Out + r.Err);
    }

    [Fact]
    public async Task Restore_by_name_reads_the_first_line_of_the_password_file()
    {
        using var dir = new TempDirectory();
        const string name = "1.0.0_S_20261125_120000_backup.tar.gz.enc";
        await File.WriteAllTextAsync(dir["pw"], Password + "\nignored\n");
        await using var daemon = new FakeDaemon();
        daemon.Ok("backup.restore", """{"message":"restarting"}""");

        var r = await CtlRun.RunWithStdinAsync(daemon, "", "backup", "restore", name, "--password-file", dir["pw"], "--yes");

        Assert.Equal(0, r.Code);
        var args = Assert.Single(daemon.Requests)["args"]!;
        Assert.Equal(Password, (string)args["password"]!);
        Assert.Equal(name, (string)args["name"]!);
        Assert.Null(args["file"]);
        Assert.Null(args["passwordFile"]);
    }

    [Fact]
    public async Task Both_password_sources_or_an_empty_one_are_usage_errors()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir["pw"], "");
        await using var daemon = new FakeDaemon();

        var both = await CtlRun.RunWithStdinAsync(daemon, Password + "\n", "backup", "create", "--password-stdin", "--password-file", dir["pw"]);
        var empty = await CtlRun.RunWithStdinAsync(daemon, "", "backup", "create", "--password-file", dir["pw"]);
        var none = await CtlRun.RunWithStdinAsync(daemon, "", "backup", "create", "--password-stdin");

        Assert.Equal(ExitCodes.Usage, both.Code);
        Assert.Contains("not both", both.Err);
        Assert.Equal(ExitCodes.Usage, empty.Code);
        Assert.Contains("is empty", empty.Err);
        Assert.Equal(ExitCodes.Usage, none.Code);
        Assert.Contains("no password on stdin", none.Err);
        Assert.Empty(daemon.Requests);
    }
}
