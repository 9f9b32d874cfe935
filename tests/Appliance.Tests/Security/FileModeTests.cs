using System.Text.Json.Nodes;
using Appliance.Tests.Support;

namespace Appliance.Tests.Security;

/// <summary>
/// Issue 16, point 13: the store (cluster key, private key, password hashes) and every copy of it
/// is the owner's alone (0600, in a 0700 data directory), whatever umask the daemon started with.
/// </summary>
public sealed class FileModeTests
{
    private const UnixFileMode OpenToOthers = (UnixFileMode)0x3F;

    [Fact(Timeout = 90_000)]
    public async Task Secret_bearing_files_are_private_under_a_permissive_umask()
    {
        await using var d = new StandaloneDaemon(launcher: ["sh", "-c", "umask 000; exec \"$@\"", "umask"]);
        await d.Daemon.StartAsync();
        await d.Daemon.Api("config.set", new JsonObject { ["path"] = "admin.password", ["values"] = new JsonArray("a-password-1234") });
        var backup = (string)(await d.Daemon.Api("backup.create"))["name"]!;
        await d.Daemon.StopAsync();

        var data = d["data"];
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(data) & OpenToOthers);
        string[] secret = ["store.db", "store-log.db", Path.Combine("backups", backup)];
        foreach (var name in secret.Where(n => File.Exists(Path.Combine(data, n))))
            Assert.True((File.GetUnixFileMode(Path.Combine(data, name)) & OpenToOthers) == 0,
                $"{name} is {File.GetUnixFileMode(Path.Combine(data, name))}");
        Assert.True(File.Exists(Path.Combine(data, "store.db")));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_store_left_open_by_an_older_version_is_tightened_at_start()
    {
        await using var d = new StandaloneDaemon();
        await d.Daemon.StartAsync();
        await d.Daemon.StopAsync();
        var store = Path.Combine(d["data"], "store.db");
        File.SetUnixFileMode(store, (UnixFileMode)0x1A4); // 0644
        File.SetUnixFileMode(d["data"], (UnixFileMode)0x1ED); // 0755

        await d.Daemon.StartAsync();

        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(store) & OpenToOthers);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(d["data"]) & OpenToOthers);
    }
}
