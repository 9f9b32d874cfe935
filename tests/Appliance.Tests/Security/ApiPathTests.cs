using System.Diagnostics;
using System.Text.Json.Nodes;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Security;

/// <summary>
/// Issue 16, point 2: the admin is a restricted user, so the daemon (root) never opens a path a
/// client names. Each request below named a file on today's daemon and had it read or written;
/// now each is refused at once, opens nothing and echoes nothing of any file.
/// </summary>
public sealed class ApiPathTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan T = TimeSpan.FromSeconds(10);
    private readonly StandaloneDaemon _d = new(extraArgs: ["--max-upgrade-bytes", "8388608"]);

    public Task InitializeAsync() => _d.Daemon.StartAsync();

    public async Task DisposeAsync() => await _d.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Licence_add_of_a_file_reads_nothing_and_repeats_nothing_of_it()
    {
        var secret = _d["secret.txt"];
        await File.WriteAllTextAsync(secret, "TOPSECRET:hash-of-root-password:19000:0:99999:7:::\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var reply = await RequestAsync("licence.add", new JsonObject { ["file"] = secret });

        AssertRefused(reply, "usage");
        Assert.DoesNotContain("TOPSECRET", reply.ToJsonString());
        Assert.DoesNotContain("::", (string)reply["error"]!["message"]!);
    }

    [Fact(Timeout = 60_000)]
    public async Task Licence_add_of_dev_zero_is_answered_at_once_and_the_daemon_stays_small()
    {
        var watch = Stopwatch.StartNew();
        var reply = await RequestAsync("licence.add", new JsonObject { ["file"] = "/dev/zero" });
        output.WriteLine($"licence.add /dev/zero answered in {watch.Elapsed.TotalMilliseconds:0} ms; daemon RSS {ProcessStats.RssMb(_d.Daemon.Pid):0} MiB");
        AssertRefused(reply, "usage");
        Assert.True(ProcessStats.RssMb(_d.Daemon.Pid) < 300, $"RSS {ProcessStats.RssMb(_d.Daemon.Pid):0} MiB");
    }

    [Fact(Timeout = 60_000)]
    public async Task Licence_text_over_64_KiB_is_refused_by_size_naming_no_content()
    {
        var text = string.Concat(Enumerable.Repeat("not-a-key-ABCDEFGHIJ.xyz\n", 3000)); // ~75 KB
        var reply = await RequestAsync("licence.add", new JsonObject { ["key"] = text });
        AssertRefused(reply, "validation");
        Assert.Contains("64 KiB", (string)reply["error"]!["message"]!);
        var small = await RequestAsync("licence.add", new JsonObject { ["key"] = "# comment\nnot-a-key-ABCDEFGHIJ\n" });
        AssertRefused(small, "validation");
        Assert.Contains("line 2", (string)small["error"]!["message"]!);
        Assert.DoesNotContain("ABCDEFGHIJ", small.ToJsonString());
    }

    [Fact(Timeout = 60_000)]
    public async Task Backup_create_into_a_directory_the_client_names_writes_nothing_there()
    {
        var target = _d["elsewhere"];
        Directory.CreateDirectory(target);

        var reply = await RequestAsync("backup.create", new JsonObject { ["dir"] = target });

        AssertRefused(reply, "usage");
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact(Timeout = 60_000)]
    public async Task Backup_restore_of_a_path_reads_nothing()
    {
        var reply = await RequestAsync("backup.restore", new JsonObject { ["file"] = "/etc/passwd" });

        AssertRefused(reply, "usage");
        Assert.DoesNotContain("726F6F74", reply.ToJsonString()); // "root" as the hex of a file's first bytes
        var traversal = await RequestAsync("backup.restore", new JsonObject { ["name"] = "../../../etc/passwd" });
        AssertRefused(traversal, "validation");
        var download = await RequestAsync("backup.download", new JsonObject { ["name"] = "../store.db" });
        AssertRefused(download, "validation");
    }

    [Fact(Timeout = 60_000)]
    public async Task Upgrade_of_dev_zero_is_refused_at_once_and_the_status_answers()
    {
        var watch = Stopwatch.StartNew();
        var reply = await RequestAsync("upgrade.install", new JsonObject { ["file"] = "/dev/zero" });
        AssertRefused(reply, "usage");
        Assert.Contains("upload", (string)reply["error"]!["message"]!);
        var status = await RequestAsync("upgrade.status", null);
        output.WriteLine($"upgrade.install /dev/zero refused and upgrade.status answered after {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.True((bool)status["ok"]!, status.ToJsonString());
    }

    [Fact(Timeout = 120_000)]
    public async Task An_endless_upload_is_cut_at_the_cap_while_the_daemon_answers_and_stays_small()
    {
        await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
        await c.SendLineAsync("""{"v":1,"cmd":"upgrade.install","args":{"signature":"ECDSA-P256-SHA256 AAAA"},"upload":true}""", T);
        var ready = await c.ReadReplyAsync(T);
        Assert.True((bool)ready!["ok"]!, ready.ToJsonString());
        Assert.Equal(8388608, (long)ready["upload"]!["maxBytes"]!);

        var chunk = new byte[4 + 65536];
        chunk[1] = 1; // length 65,536, big-endian
        var answers = new List<double>();
        var rss = 0.0;
        var sent = 0L;
        try
        {
            for (var i = 0; i < 1000; i++) // 64 MiB offered, 8 MiB allowed
            {
                await c.SendBytesAsync(chunk, T);
                sent += 65536;
                if (i % 32 == 0)
                {
                    var watch = Stopwatch.StartNew();
                    Assert.True((bool)(await RequestAsync("status", null))["ok"]!);
                    answers.Add(watch.Elapsed.TotalMilliseconds);
                    rss = Math.Max(rss, ProcessStats.RssMb(_d.Daemon.Pid));
                }
            }
        }
        catch (IOException) { } // the daemon hung up: the cap was reached
        var refusal = await c.ReadReplyAsync(T);
        output.WriteLine($"offered {sent >> 20} MiB (the cap is 8 MiB: the daemon answered and dropped the rest); status answered in at most {answers.Max():0.0} ms; RSS at most {rss:0} MiB");
        AssertRefused(refusal!, "validation");
        Assert.Contains("8388608 bytes", (string)refusal!["error"]!["message"]!);
        Assert.Null(await c.ReadReplyAsync(T)); // the connection ends: the rest of the stream cannot be read as requests
        Assert.True(rss < 300, $"RSS {rss:0} MiB");
        Assert.Empty(Directory.GetFiles(_d["data"], "*.tar.gz", SearchOption.AllDirectories));
        Assert.True(_d.Daemon.Running);
    }

    private static void AssertRefused(JsonObject reply, string kind)
    {
        Assert.False((bool)reply["ok"]!, reply.ToJsonString());
        Assert.Equal(kind, (string?)reply["error"]!["kind"]);
    }

    private async Task<JsonObject> RequestAsync(string cmd, JsonObject? args)
    {
        await using var c = await RawApiConnection.ConnectAsync(_d.Daemon.SocketPath, T);
        return await c.RequestAsync(cmd, args, T);
    }
}
