using System.Text;
using Appliance.Daemon.Backup;
using Appliance.Daemon.Crypto;
using static Appliance.Tests.Backup.BackupFixture;

namespace Appliance.Tests.Backup;

/// <summary>
/// Key derivation ids of FORMAT.md: new backups are Argon2id (id 2); backups made with PBKDF2
/// (id 1) by earlier releases still restore.
/// </summary>
public class BackupKdfTests
{
    /// <summary>
    /// An encrypted backup written by the release before Argon2id (main at 7fe4100: BackupWriter
    /// with Iterations = 1000, password "old password", created 2026-01-02 03:04:05 UTC).
    /// </summary>
    private const string Pbkdf2Backup = """
        QVBCSwEBAAAD6JI02p1/ZKJwQU5Dwwxk+ziLgG9NmgeTngABAAAAAAI+fTMIlVSwNaHgAbgnoDdFq/aeeSzP+/nxp2s30ecWIXwT
        JsnHPUpjrc5X/pHWQmD+lYdgxgyGTlofyKUV6LAE1P/WMqD0Wo2/MBc3kPBqf1Vd8iwqtNtFacNmz8MNQPB/5jOKhWD9XqZZyhol
        T3RVT5flBEL6FRGNsRat9GVO3XVV5Yn8noH1ssu1Vg2PWaFlxOyURrg0ryEJMvGAtiUQ6Bqp2v7c/nbuoADYqTj8BDTKclW1NNGc
        t4swONS0O+dw0F2/9CCQ/bBoIWoyTbpaH6yrn4qj/7R5jQpSHe31JEoeIpD0vuOFuwmIoY7f3FX7VW/D04ohRZy+59u+ceLQiVfV
        tykHmDJSW0nERNRyQSVBVvqMsGj/GPTEVcdZ902VcA9eH42ZhVD4b5mRiUkFs6NpggwnmFBQYG4OpAD4JStkHbwK6t/6CM6YeD0B
        CfRjp1h0rz+6fMolW5w6Mpax/DsyJ1ggp6PX8VeRZSpE8emHMZdedeQgZQp0q3Oyyp3R5bY2ysVwn7rlDch8oYjp8NUUplRlXin1
        B9H54HgupQZZ4kuMv6W/Y6ph/TwhmexuS0k7A44FCsHNaVfxu6dYcTl5EzTOZbWPYUBwkfrhbwDKiOaf6R/jGUZBRPSM35CiUYiz
        KR5ZZJZbNBlyP5iUFfAqU+tdGiYCs4tYqpxqceO0iYYQK6OWHfjX5/mA6yYqmZWsgZc6KSTpiuMs29k0vmgvZucUBIv9Dfbcp5i4
        Nhb6BpXxyLxchc2EeK3mgMX5e502PWT0dF5RxXgPYtU=
        """;

    [Fact]
    public async Task A_backup_made_with_PBKDF2_by_the_previous_release_still_restores()
    {
        using var dir = new TempDir();
        var path = dir["1.0.0_52A00001_20260102_030405_backup.tar.gz.enc"];
        var bytes = Convert.FromBase64String(string.Concat(Pbkdf2Backup.Split('\n')));
        Assert.Equal([BackupKdf.Pbkdf2HmacSha256Id, 0, 0, 0x03, 0xE8], bytes[5..10]); // PBKDF2, 1,000 iterations
        await File.WriteAllBytesAsync(path, bytes);

        var reader = await BackupReader.OpenAsync(path, "old password", dir["restore"]).WaitAsync(TestTimeout);

        Assert.True(reader.Encrypted);
        Assert.Equal("store written by the PBKDF2 release\n", Encoding.UTF8.GetString(reader.ReadAllBytes("store.db")));
        Assert.Equal("""{"clusterKey":"s3cret"}""", Encoding.UTF8.GetString(reader.ReadAllBytes("secrets.json")));
        reader.Verify("52A00001", ["1.0.0"]);
        Assert.Equal(BackupError.WrongPasswordOrCorrupted, (await ReadFailsAsync(path, "new password")).Error);
    }

    [Fact]
    public async Task New_backups_use_Argon2id_and_round_trip_through_the_reader()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "new password", BackupKdf.Argon2id(new Argon2Cost(2, 2, 1)));

        var header = (await File.ReadAllBytesAsync(result.Path))[..CipherHeader.Size];
        Assert.Equal([BackupKdf.Argon2idId, 0, 2, 2, 1], header[5..10]); // id 2, 2 MiB, 2 passes, 1 lane
        var reader = await BackupReader.OpenAsync(result.Path, "new password", dir["restore"]).WaitAsync(TestTimeout);
        Assert.Equal(Store, reader.ReadAllBytes("store.db"));
        Assert.Equal(BackupError.WrongPasswordOrCorrupted, (await ReadFailsAsync(result.Path, "old password")).Error);
    }

    [Fact]
    public async Task A_backup_written_with_PBKDF2_on_request_round_trips()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "pw", BackupKdf.Pbkdf2(BackupKdf.MinIterations));
        Assert.Equal(BackupKdf.Pbkdf2HmacSha256Id, (await File.ReadAllBytesAsync(result.Path))[5]);
        Assert.Equal(Store, (await BackupReader.OpenAsync(result.Path, "pw", dir["restore"]).WaitAsync(TestTimeout)).ReadAllBytes("store.db"));
    }

    [Fact]
    public async Task Argon2id_key_matches_the_reference_implementation()
    {
        // echo -n "old password" | argon2 0123456789abcdef -id -t 1 -k 1024 -p 1 -l 32 -r
        var key = await BackupKdf.Argon2id(Argon2Cost.Minimum).DeriveKeyAsync("old password", "0123456789abcdef"u8.ToArray());
        Assert.Equal("41751DB484E735184671BD728EEDBCA466B098A4B5855FDFA55356E7E4741DCD", Convert.ToHexString(key));
    }

    public static TheoryData<string, byte, byte[], BackupError, string> HostileHeaders => new()
    {
        { "unknown kdf id", 3, [0, 1, 1, 1], BackupError.UnsupportedVersion, "unknown key derivation id 3 (this software knows 1 = PBKDF2-HMAC-SHA256, 2 = Argon2id)" },
        { "Argon2id asking for 64 GiB", 2, [0xFF, 0xFF, 1, 1], BackupError.Corrupted, "Argon2id cost (65535 MiB, 1 passes, 1 lanes) is outside" },
        { "Argon2id with 255 passes", 2, [0, 1, 255, 1], BackupError.Corrupted, "is outside 1..256 MiB, 1..10 passes" },
        { "Argon2id with no lane", 2, [0, 1, 1, 0], BackupError.Corrupted, "0 lanes) is outside" },
        { "PBKDF2 with 4 billion iterations", 1, [0xFF, 0xFF, 0xFF, 0xFF], BackupError.Corrupted, "PBKDF2 iteration count" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public async Task Headers_outside_the_kdf_bounds_are_refused_before_any_derivation(string what, byte id, byte[] parameters, BackupError error, string message)
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, "pw");
        var bytes = await File.ReadAllBytesAsync(result.Path);
        bytes[5] = id;
        parameters.CopyTo(bytes, 6);
        var path = dir["hostile.tar.gz.enc"];
        await File.WriteAllBytesAsync(path, bytes);

        var e = await ReadFailsAsync(path, "pw", dir["restore"]);
        Assert.True(e.Error == error, $"{what}: {e.Error} {e.Message}");
        Assert.Contains(message, e.Message);
        Assert.Empty(Directory.GetFiles(dir["restore"]));
    }
}
