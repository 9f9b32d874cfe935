using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Maintenance;
using Appliance.Daemon.Store;

namespace Appliance.Tests.Maintenance;

/// <summary>backup.create|list|restore through the API of a real in-process peer (R12).</summary>
public sealed class BackupServiceTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("correct horse")]
    public async Task Restore_brings_back_the_configuration_after_a_restart(string? password)
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-A1");
        await peer.SetAsync("system.hostname", "alpha");
        var created = await peer.CallAsync("backup.create", password is null ? null : new JsonObject { ["password"] = password });
        var file = peer.BackupPath(created);
        var name = BackupFileName.TryParse(Path.GetFileName(file));
        Assert.NotNull(name);
        Assert.Equal("SERIAL-A1", name.HardwareSerial);
        Assert.Equal(peer.Node.Version, name.SoftwareVersion);
        Assert.Equal(password is not null, name.Encrypted);
        Assert.EndsWith(password is null ? "_backup.tar.gz" : "_backup.tar.gz.enc", file);
        var listed = (await peer.CallAsync("backup.list"))["backups"]!.AsArray();
        Assert.Contains(listed, b => b!["name"]!.GetValue<string>() == Path.GetFileName(file));

        await peer.SetAsync("system.hostname", "beta");
        var restore = await peer.CallAsync("backup.restore", new JsonObject { ["name"] = Path.GetFileName(file), ["password"] = password });
        Assert.Contains("restarts", restore["message"]!.GetValue<string>());
        await peer.RestartRequested.Task.WaitAsync(TestPeer.Timeout);
        Assert.Equal("beta", await peer.GetAsync("system.hostname")); // nothing swapped before the restart
        await peer.RestartAsync();

        Assert.Equal("alpha", await peer.GetAsync("system.hostname"));
        Assert.False(File.Exists(peer.Options.DataDir + "/" + RestoreSwap.BeforeName));
        Assert.False(RestoreSwap.IsPending(peer.Options.DataDir));
        Assert.Contains(peer.Node.Logs.Events.Read(null, 1000), e => e.Message!.Contains("restore complete"));
    }

    [Fact]
    public async Task Backup_holds_the_store_with_its_local_scope_and_no_logs()
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-A2");
        var file = peer.BackupPath(await peer.CallAsync("backup.create"));
        var reader = await BackupReader.OpenAsync(file, null, peer.Dir("x")).WaitAsync(TestPeer.Timeout);
        Assert.Equal(["store.db"], reader.Manifest.Entries.Select(e => e.Name));
        Assert.Equal(peer.Node.Store.PeerId, reader.Manifest.PeerId);
        using var copy = Store.Open(peer.Dir("x"));
        Assert.Equal(peer.Node.Store.PeerId, copy.PeerId);
        Assert.NotNull(copy.GetLocal("cluster-certificate"));
    }

    [Fact]
    public async Task Wrong_password_is_refused_and_nothing_changes()
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-A3");
        var file = peer.BackupPath(await peer.CallAsync("backup.create", new JsonObject { ["password"] = "right" }));
        await peer.SetAsync("system.hostname", "after");
        var e = await peer.RefusedAsync("backup.restore", new JsonObject { ["name"] = Path.GetFileName(file), ["password"] = "wrong" });
        Assert.Equal(ApiException.Validation, e.Kind);
        Assert.Contains("wrong password", e.Message);
        e = await peer.RefusedAsync("backup.restore", new JsonObject { ["name"] = Path.GetFileName(file) });
        Assert.Contains("password is required", e.Message);
        AssertNothingStaged(peer);
        Assert.Equal("after", await peer.GetAsync("system.hostname"));
    }

    [Fact]
    public async Task Another_peers_backup_is_refused()
    {
        await using var a = await TestPeer.StartAsync("SERIAL-A4");
        await using var b = await TestPeer.StartAsync("SERIAL-B4");
        var file = a.BackupPath(await a.CallAsync("backup.create"));
        var e = await b.UploadRefusedAsync("backup.restore", null, await File.ReadAllBytesAsync(file));
        Assert.Contains("hardware serial SERIAL-A4", e.Message);
        Assert.Contains("SERIAL-B4", e.Message);
        AssertNothingStaged(b);
    }

    [Fact]
    public async Task Backup_of_another_software_version_is_refused()
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-A5", version: "9.9.9");
        var file = peer.BackupPath(await peer.CallAsync("backup.create"));
        await using var newer = await TestPeer.StartAsync("SERIAL-A5", version: "10.0.0");
        var e = await newer.UploadRefusedAsync("backup.restore", null, await File.ReadAllBytesAsync(file));
        Assert.Contains("software version 9.9.9", e.Message);
        AssertNothingStaged(newer);
    }

    [Theory]
    [InlineData(null, "truncate")]
    [InlineData(null, "flip")]
    [InlineData("pw", "truncate")]
    [InlineData("pw", "flip")]
    public async Task Truncated_or_tampered_files_are_refused_and_nothing_changes(string? password, string damage)
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-A6");
        await peer.SetAsync("system.hostname", "kept");
        var file = peer.BackupPath(await peer.CallAsync("backup.create", new JsonObject { ["password"] = password }));
        var bytes = await File.ReadAllBytesAsync(file);
        if (damage == "truncate") bytes = bytes[..(bytes.Length * 2 / 3)];
        else bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(file, bytes);
        var liveBefore = Hash(peer);

        var e = await peer.RefusedAsync("backup.restore", new JsonObject { ["name"] = Path.GetFileName(file), ["password"] = password });
        Assert.Equal(ApiException.Validation, e.Kind);
        Assert.Contains("nothing was changed", e.Message);
        AssertNothingStaged(peer);
        Assert.Equal(liveBefore, Hash(peer));
        Assert.Equal("kept", await peer.GetAsync("system.hostname"));
    }

    [Fact]
    public async Task Restore_is_refused_while_the_peer_is_in_a_cluster()
    {
        await using var peer = await TestPeer.StartAsync("SERIAL-A7", "127.0.0.1", Ports.Next());
        var file = peer.BackupPath(await peer.CallAsync("backup.create"));
        await peer.CallAsync("cluster.setKey", new JsonObject { ["key"] = "a long cluster key 123" });
        await peer.CallAsync("cluster.setPeers", new JsonObject { ["addresses"] = new JsonArray("127.0.0.1") });
        var e = await peer.RefusedAsync("backup.restore", new JsonObject { ["name"] = Path.GetFileName(file) });
        Assert.Equal(ApiException.Conflict, e.Kind);
        Assert.Contains("cluster leave", e.Message);
        AssertNothingStaged(peer);
    }

    private static void AssertNothingStaged(TestPeer peer)
    {
        Assert.False(RestoreSwap.IsPending(peer.Options.DataDir));
        Assert.False(File.Exists(Path.Combine(peer.Options.DataDir, RestoreSwap.StagedName)));
        Assert.Empty(Directory.GetDirectories(peer.Options.DataDir, ".restore-*"));
        Assert.False(peer.RestartRequested.Task.IsCompleted);
    }

    private static string Hash(TestPeer peer) =>
        string.Join("\n", peer.Node.Store.Scan().Select(r => $"{r.Id}={r.Value}@{r.Version}").Order(StringComparer.Ordinal));
}
