using Appliance.Daemon.Backup;
using static Appliance.Tests.Backup.BackupFixture;

namespace Appliance.Tests.Backup;

public class BackupRoundTripTests
{
    [Fact]
    public async Task Plain_backup_round_trips_with_manifest_and_name()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, password: null);

        var name = Path.GetFileName(result.Path);
        Assert.Matches(@"^1\.0\.0_52A00001_\d{8}_\d{6}_backup\.tar\.gz$", name);
        var parsed = BackupFileName.TryParse(name);
        Assert.NotNull(parsed);
        Assert.Equal((SoftwareVersion, Serial, false, result.Manifest.CreatedUtc), (parsed.SoftwareVersion, parsed.HardwareSerial, parsed.Encrypted, parsed.CreatedUtc));

        var reader = await BackupReader.OpenAsync(result.Path, null, dir["restore"]).WaitAsync(TestTimeout);
        Assert.False(reader.Encrypted);
        Assert.Equal(Store, reader.ReadAllBytes("store.db"));
        Assert.Equal(Secrets, reader.ReadAllBytes("secrets.json"));
        var m = reader.Manifest;
        Assert.Equal((1, SoftwareVersion, Serial, "peer-1", "cluster-abc"), (m.FormatVersion, m.SoftwareVersion, m.HardwareSerial, m.PeerId, m.ClusterId));
        Assert.Equal(["store.db", "secrets.json"], m.Entries.Select(e => e.Name));
        Assert.Equal(Store.Length, m.Entries[0].Size);
        reader.Verify(Serial, [SoftwareVersion]);
    }

    [Fact]
    public async Task Encrypted_backup_round_trips_over_several_chunks()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "correct horse");

        Assert.EndsWith("_backup.tar.gz.enc", result.Path);
        var bytes = await File.ReadAllBytesAsync(result.Path).WaitAsync(TestTimeout);
        Assert.Equal("APBK"u8.ToArray(), bytes[..4]);
        Assert.True(bytes.Length > 4 * 65536, $"only {bytes.Length} bytes: not several chunks");
        Assert.Equal([BackupKdf.Argon2idId, 0, 1, 1, 1], bytes[5..10]); // Argon2id, 1 MiB, 1 pass, 1 lane

        var reader = await BackupReader.OpenAsync(result.Path, "correct horse", dir["restore"]).WaitAsync(TestTimeout);
        Assert.True(reader.Encrypted);
        Assert.Equal(Store, reader.ReadAllBytes("store.db"));
        Assert.Equal(Secrets, reader.ReadAllBytes("secrets.json"));
    }

    [Fact]
    public async Task Default_kdf_is_Argon2id_64_MiB_3_passes_and_round_trips()
    {
        using var dir = new TempDir();
        Assert.Equal(BackupKdf.Default, new BackupWriter(Identity).Kdf);
        var result = await WriteAsync(dir, "pw", BackupKdf.Default);

        var header = (await File.ReadAllBytesAsync(result.Path).WaitAsync(TestTimeout))[..38];
        Assert.Equal([BackupKdf.Argon2idId, 0, 64, 3, 1], header[5..10]);
        var reader = await BackupReader.OpenAsync(result.Path, "pw", null).WaitAsync(TestTimeout);
        Assert.Equal(Serial, reader.Manifest.HardwareSerial);
    }

    [Fact]
    public async Task Wrong_password_is_reported_as_such()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "right");
        var e = await ReadFailsAsync(result.Path, "wrong", dir["restore"]);
        Assert.Equal(BackupError.WrongPasswordOrCorrupted, e.Error);
        Assert.Equal("wrong password or corrupted file", e.Message);
        Assert.Empty(Directory.GetFiles(dir["restore"]));
    }

    [Fact]
    public async Task Encrypted_backup_without_password_asks_for_one()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "right");
        var e = await ReadFailsAsync(result.Path, null);
        Assert.Equal(BackupError.PasswordRequired, e.Error);
    }

    [Fact]
    public async Task Other_serial_is_refused_naming_both()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, null);
        var reader = await BackupReader.OpenAsync(result.Path, null, null).WaitAsync(TestTimeout);
        var e = Assert.Throws<BackupException>(() => reader.Verify("52A00999", [SoftwareVersion]));
        Assert.Equal(BackupError.OtherSerial, e.Error);
        Assert.Contains(Serial, e.Message);
        Assert.Contains("52A00999", e.Message);
    }

    [Fact]
    public async Task Unsupported_software_version_is_refused()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, null);
        var reader = await BackupReader.OpenAsync(result.Path, null, null).WaitAsync(TestTimeout);
        var e = Assert.Throws<BackupException>(() => reader.Verify(Serial, new[] { "2.0.0", "2.1.0" }));
        Assert.Equal(BackupError.UnsupportedSoftwareVersion, e.Error);
        Assert.Contains("1.0.0", e.Message);
        Assert.Contains("2.1.0", e.Message);
    }

    [Fact]
    public async Task Writer_refuses_bad_names_and_identities()
    {
        Assert.Equal(BackupError.InvalidArgument, Assert.Throws<BackupException>(() => new BackupWriter(Identity).Add("../etc/passwd", [1])).Error);
        Assert.Contains("reserved", Assert.Throws<BackupException>(() => new BackupWriter(Identity).Add("manifest.json", [1])).Message);
        Assert.Contains("twice", Assert.Throws<BackupException>(() => new BackupWriter(Identity).Add("a", [1]).Add("a", [2])).Message);
        var e = Assert.Throws<BackupException>(() => new BackupWriter(Identity with { HardwareSerial = "52_A" }));
        Assert.Contains("hardware serial \"52_A\"", e.Message);
        using var dir = new TempDir();
        var w = new BackupWriter(Identity).Add("a", [1]);
        Assert.Contains("must not be empty", (await Assert.ThrowsAsync<BackupException>(() => w.WriteToDirectoryAsync(dir.Path, "").WaitAsync(TestTimeout))).Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void File_names_that_are_not_backups_do_not_parse()
    {
        Assert.Null(BackupFileName.TryParse("notes.txt"));
        Assert.Null(BackupFileName.TryParse("1.0_S_2026_120000_backup.tar.gz"));
        var p = BackupFileName.TryParse("2.3.1_ABC-9_20261125_130405_backup.tar.gz.enc");
        Assert.Equal(new BackupFileName("2.3.1", "ABC-9", new DateTime(2026, 11, 25, 13, 4, 5, DateTimeKind.Utc), true), p);
    }
}
