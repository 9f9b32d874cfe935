using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Backup;
using static Appliance.Tests.Backup.BackupFixture;

namespace Appliance.Tests.Backup;

/// <summary>The archive is a real tar.gz other tools read, and the reader refuses archives that lie.</summary>
public class BackupArchiveTests
{
    [Fact]
    public async Task Real_tar_lists_and_extracts_the_plain_archive()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, null);

        var (code, listing) = await Tar("tzf", result.Path);
        Assert.Equal(0, code);
        Assert.Equal(["manifest.json", "store.db", "secrets.json"], listing.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var (_, secrets) = await Tar("xzOf", result.Path, "secrets.json");
        Assert.Equal(Encoding.UTF8.GetString(Secrets), secrets);
        var (_, manifest) = await Tar("xzOf", result.Path, "manifest.json");
        Assert.Contains("\"hardwareSerial\": \"52A00001\"", manifest);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(Store)), manifest);
    }

    [Fact]
    public async Task Decrypted_enc_file_is_the_same_kind_of_tar_gz()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "pw");
        await using (var input = File.OpenRead(result.Path))
        await using (var output = File.Create(dir["plain.tar.gz"]))
            await BackupCipher.DecryptAsync(input, output, "pw").WaitAsync(TestTimeout);
        var (code, listing) = await Tar("tzf", dir["plain.tar.gz"]);
        Assert.Equal(0, code);
        Assert.Equal(3, listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Unknown_format_version_is_refused()
    {
        using var dir = new TempDir();
        var path = await HandMade(dir, ManifestJson(99, Sha(Secrets)), ("secrets.json", Secrets));
        var e = await ReadFailsAsync(path, null);
        Assert.Equal(BackupError.UnsupportedVersion, e.Error);
        Assert.Contains("99", e.Message);
    }

    [Fact]
    public async Task Entry_whose_hash_disagrees_is_refused_and_nothing_is_left_extracted()
    {
        using var dir = new TempDir();
        var path = await HandMade(dir, ManifestJson(1, Sha("other"u8.ToArray()), size: Secrets.Length), ("secrets.json", Secrets));
        var e = await ReadFailsAsync(path, null, dir["restore"]);
        Assert.Equal(BackupError.Corrupted, e.Error);
        Assert.Contains("\"secrets.json\" fails its SHA-256 check", e.Message);
        Assert.Empty(Directory.GetFiles(dir["restore"]));
    }

    [Fact]
    public async Task Entry_not_in_manifest_is_refused()
    {
        using var dir = new TempDir();
        var path = await HandMade(dir, ManifestJson(1, Sha(Secrets)), ("secrets.json", Secrets), ("extra.bin", [1, 2]));
        var e = await ReadFailsAsync(path, null);
        Assert.Equal(BackupError.InvalidManifest, e.Error);
        Assert.Contains("\"extra.bin\"", e.Message);
    }

    [Fact]
    public async Task Missing_manifest_or_field_is_refused()
    {
        using var dir = new TempDir();
        var noManifest = await HandMade(dir, null, ("secrets.json", Secrets));
        Assert.Contains("not manifest.json", (await ReadFailsAsync(noManifest, null)).Message);
        var noSerial = await HandMade(dir, ManifestJson(1, Sha(Secrets)).Replace("\"52A00001\"", "\"\""), ("secrets.json", Secrets));
        var e = await ReadFailsAsync(noSerial, null);
        Assert.Equal(BackupError.InvalidManifest, e.Error);
        Assert.Contains("hardwareSerial", e.Message);
        var listedMissing = await HandMade(dir, ManifestJson(1, Sha(Secrets)));
        Assert.Equal(BackupError.Truncated, (await ReadFailsAsync(listedMissing, null)).Error);
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    private static string ManifestJson(int version, string sha, int? size = null) => $$"""
        {"formatVersion":{{version}},"softwareVersion":"1.0.0","hardwareSerial":"52A00001","peerId":"p",
         "clusterId":null,"createdUtc":"2026-11-25T12:00:00Z",
         "entries":[{"name":"secrets.json","size":{{size ?? Secrets.Length}},"sha256":"{{sha}}"}]}
        """;

    /// <summary>A tar.gz built without BackupWriter, to feed the reader archives it would never write.</summary>
    private static async Task<string> HandMade(TempDir dir, string? manifest, params (string Name, byte[] Data)[] entries)
    {
        var path = dir[$"hand-{Guid.NewGuid():N}.tar.gz"];
        await using (var file = File.Create(path))
        await using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        await using (var tar = new TarWriter(gz, TarEntryFormat.Pax))
        {
            var all = (manifest is null ? [] : new[] { ("manifest.json", Encoding.UTF8.GetBytes(manifest)) }).Concat(entries);
            foreach (var (name, data) in all)
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) }).WaitAsync(TestTimeout);
        }
        return path;
    }

    private static async Task<(int Code, string Stdout)> Tar(params string[] args)
    {
        var psi = new ProcessStartInfo("tar") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TestTimeout);
            Assert.True(p.ExitCode == 0, $"tar {string.Join(' ', args)}: {await stderr}");
            return (p.ExitCode, await stdout.WaitAsync(TestTimeout));
        }
        finally
        {
            if (!p.HasExited)
                p.Kill();
        }
    }
}
