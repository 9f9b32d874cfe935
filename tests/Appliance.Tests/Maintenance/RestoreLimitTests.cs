using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Appliance.Daemon.Api;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Maintenance;
using Appliance.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.Tests.Maintenance;

/// <summary>
/// Issue 16, point 4: a restore reads and checks the manifest (serial, version, sizes) before it
/// extracts anything, and refuses an archive that would unpack to far more than its size. Today's
/// daemon filled 937 MB of disk from a 1 MB backup of another peer before refusing it.
/// </summary>
public sealed class RestoreLimitTests(ITestOutputHelper output)
{
    private const long Unpacked = 512L << 20;

    [Fact]
    public async Task A_small_backup_of_another_peer_that_unpacks_huge_is_refused_before_extracting()
    {
        await using var peer = await TestPeer.StartAsync("LIMIT-A1");
        var archive = Bomb(peer, serial: "SOMEONE-ELSE");

        var (e, written) = await RestoreAsync(peer, archive);

        output.WriteLine($"{archive.Length} bytes of backup; {written >> 20} MiB written while refusing it");
        Assert.Contains("hardware serial SOMEONE-ELSE", e.Message);
        Assert.True(written < 16 << 20, $"{written >> 20} MiB were written before the refusal");
    }

    [Fact]
    public async Task A_backup_of_this_peer_that_unpacks_a_thousand_times_its_size_is_refused_by_its_manifest()
    {
        await using var peer = await TestPeer.StartAsync("LIMIT-A2");
        var archive = Bomb(peer, serial: "LIMIT-A2");

        var (e, written) = await RestoreAsync(peer, archive);

        output.WriteLine($"{archive.Length} bytes of backup; {written >> 20} MiB written while refusing it");
        Assert.Contains($"unpacks to {Unpacked} bytes", e.Message);
        Assert.True(written < 16 << 20, $"{written >> 20} MiB were written before the refusal");
    }

    [Fact]
    public async Task A_real_backup_well_within_the_limits_still_restores()
    {
        await using var peer = await TestPeer.StartAsync("LIMIT-A3");
        var file = peer.BackupPath(await peer.CallAsync("backup.create"));
        var result = await peer.UploadAsync("backup.restore", null, await File.ReadAllBytesAsync(file));
        Assert.Contains("restarts", result["message"]!.GetValue<string>());
    }

    private static async Task<(ApiException Error, long Written)> RestoreAsync(TestPeer peer, byte[] archive)
    {
        var before = WrittenBytes();
        var e = await peer.UploadRefusedAsync("backup.restore", null, archive);
        var written = WrittenBytes() - before;
        Assert.Equal(ApiException.Validation, e.Kind);
        Assert.Contains("nothing was changed", e.Message);
        Assert.False(RestoreSwap.IsPending(peer.Options.DataDir));
        Assert.Empty(Directory.GetDirectories(peer.Options.DataDir, ".restore-*"));
        return (e, written);
    }

    /// <summary>A gzip'd backup whose store.db is <see cref="Unpacked"/> bytes of zeros (about 500 KB compressed).</summary>
    private static byte[] Bomb(TestPeer peer, string serial)
    {
        var manifest = new BackupManifest(BackupManifest.CurrentFormatVersion, peer.Node.Version, serial, peer.Node.Store.PeerId, null,
            DateTime.UtcNow, [new BackupManifestEntry("store.db", Unpacked, new string('0', 64))]);
        var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, BackupManifest.FileName) { DataStream = new MemoryStream(manifest.ToJson()) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "store.db") { DataStream = new ZeroStream(Unpacked) });
        }
        return buffer.ToArray();
    }

    /// <summary>Bytes this process has passed to write(2) so far (wchar in /proc/self/io).</summary>
    private static long WrittenBytes() =>
        long.Parse(File.ReadLines("/proc/self/io").First(l => l.StartsWith("wchar:", StringComparison.Ordinal))[6..].Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
}
