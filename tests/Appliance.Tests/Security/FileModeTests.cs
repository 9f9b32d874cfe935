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

    /// <summary>
    /// The other side (issue 17): under the unit's UMask=0077 the files other programs read stay
    /// readable by them: snmpd's extends run as Debian-snmp and cat the status files (on the booted
    /// image the directory came out 0700 and every extend said "Permission denied").
    /// </summary>
    [Fact(Timeout = 90_000)]
    public async Task Files_other_programs_read_stay_readable_under_the_units_umask()
    {
        var dir = Directory.CreateTempSubdirectory("filemode-").FullName;
        try
        {
            var status = Path.Combine(dir, "run", "snmp");
            await using var d = new StandaloneDaemon(
                extraArgs: ["--snmpd-conf", Path.Combine(dir, "snmp", "snmpd.conf"), "--snmp-status-dir", status],
                launcher: ["sh", "-c", "umask 077; exec \"$@\"", "umask"]);
            await d.Daemon.StartAsync();
            await d.Daemon.Api("config.set", new JsonObject { ["path"] = "snmp.community", ["values"] = new JsonArray("n0c-read") });
            await d.Daemon.Api("config.set", new JsonObject { ["path"] = "snmp.enabled", ["values"] = new JsonArray("true") });
            // The status files and the configuration are written by separate steps: wait for both.
            await Eventually.WaitUntil(() => Task.FromResult(File.Exists(Path.Combine(status, "peer-state")) && File.Exists(Path.Combine(dir, "snmp", "snmpd.conf"))),
                TimeSpan.FromSeconds(30), "the SNMP status files and snmpd.conf");

            const UnixFileMode readAndEnter = UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
            Assert.Equal(readAndEnter, File.GetUnixFileMode(status) & readAndEnter);
            Assert.Equal(UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(status, "peer-state")) & UnixFileMode.OtherRead);
            // The configuration holds the community: still root's alone.
            Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(dir, "snmp", "snmpd.conf")) & OpenToOthers);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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
