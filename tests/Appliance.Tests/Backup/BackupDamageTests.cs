using Appliance.Daemon.Backup;
using static Appliance.Tests.Backup.BackupFixture;

namespace Appliance.Tests.Backup;

/// <summary>Truncation and bit flips anywhere in an encrypted backup are detected; the plain archive too.</summary>
public class BackupDamageTests
{
    private const int Header = 38;
    private const int Record = 4 + 65536 + 16;
    private const string Password = "pw";

    public static TheoryData<string, long, int> HeaderFlips => new()
    {
        { "magic", 0, 0 },
        { "version", 4, 0 },
        { "kdf id", 5, 1 },
        { "kdf parameters", 9, 0 },
        { "salt", 10, 3 },
        { "salt end", 25, 7 },
        { "nonce prefix", 26, 0 },
        { "nonce prefix end", 33, 5 },
        { "chunk size", 37, 0 },
        { "chunk size high", 35, 0 },
    };

    [Theory]
    [MemberData(nameof(HeaderFlips))]
    public async Task Header_bit_flip_is_detected(string field, long offset, int bit)
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, Password);
        var e = await ReadFailsAsync(Flip(result.Path, offset, bit), Password);
        Assert.False(string.IsNullOrEmpty(e.Message), field);
    }

    public static TheoryData<string, long> BodyFlips => new()
    {
        { "chunk 0 length", Header + 2 },
        { "chunk 0 first ciphertext byte", Header + 4 },
        { "chunk 0 middle", Header + 4 + 30000 },
        { "chunk 1 length", Header + Record + 3 },
        { "chunk 2 middle", Header + 2 * Record + 4 + 40000 },
        { "chunk 3 last ciphertext byte", Header + 3 * Record + 4 + 65535 },
    };

    [Theory]
    [MemberData(nameof(BodyFlips))]
    public async Task Body_bit_flip_is_detected(string where, long offset)
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, Password);
        var e = await ReadFailsAsync(Flip(result.Path, offset, 2), Password, dir["restore"]);
        Assert.True(e.Error is BackupError.Corrupted or BackupError.WrongPasswordOrCorrupted or BackupError.Truncated, $"{where}: {e.Error} {e.Message}");
        if (offset > Header + Record)
            Assert.Contains("corrupted", e.Message);
        Assert.Empty(Directory.GetFiles(dir["restore"]));
    }

    public static TheoryData<string, long> TagFlips => new()
    {
        { "last byte", -1 },
        { "final tag first byte", -16 },
        { "final chunk ciphertext", -17 },
        { "chunk 0 tag", Header + 4 + 65536 + 7 },
        { "chunk 1 tag last byte", Header + 2 * Record - 1 },
    };

    [Theory]
    [MemberData(nameof(TagFlips))]
    public async Task Tag_and_last_byte_flips_are_detected(string where, long offset)
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, Password);
        var e = await ReadFailsAsync(Flip(result.Path, offset, 6), Password);
        Assert.True(e.Error is BackupError.Corrupted or BackupError.WrongPasswordOrCorrupted, $"{where}: {e.Error} {e.Message}");
    }

    [Fact]
    public async Task Truncated_encrypted_files_say_truncated()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, Password);
        var length = new FileInfo(result.Path).Length;
        long[] cuts = [20, Header, Header + 2, Header + 1000, Header + Record, Header + 3 * Record, Header + 3 * Record + 100, length - 1, length - 16];
        foreach (var cut in cuts)
        {
            var e = await ReadFailsAsync(Truncate(result.Path, cut), Password);
            Assert.True(e.Error == BackupError.Truncated, $"cut at {cut}: {e.Error} {e.Message}");
            Assert.StartsWith("truncated", e.Message);
        }
    }

    [Fact]
    public async Task Appended_data_after_final_chunk_is_refused()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, Password);
        await File.AppendAllTextAsync(result.Path, "x").WaitAsync(TestTimeout);
        var e = await ReadFailsAsync(result.Path, Password);
        Assert.Equal(BackupError.Corrupted, e.Error);
        Assert.Contains("follows the final chunk", e.Message);
    }

    [Fact]
    public async Task Swapped_chunks_are_detected()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, Password);
        var b = await File.ReadAllBytesAsync(result.Path).WaitAsync(TestTimeout);
        var one = b.AsSpan(Header + Record, Record).ToArray();
        b.AsSpan(Header + 2 * Record, Record).CopyTo(b.AsSpan(Header + Record));
        one.CopyTo(b.AsSpan(Header + 2 * Record));
        await File.WriteAllBytesAsync(result.Path, b).WaitAsync(TestTimeout);
        var e = await ReadFailsAsync(result.Path, Password);
        Assert.Equal(BackupError.Corrupted, e.Error);
        Assert.Contains("chunk 1 failed authentication", e.Message);
    }

    [Fact]
    public async Task Truncated_plain_archive_says_truncated()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, null);
        var length = new FileInfo(result.Path).Length;
        foreach (var cut in new[] { 30, length / 2, length - 2000 })
        {
            var e = await ReadFailsAsync(Truncate(result.Path, cut), null, dir[$"restore{cut}"]);
            Assert.True(e.Error == BackupError.Truncated, $"cut at {cut}: {e.Error} {e.Message}");
            Assert.Empty(Directory.GetFiles(dir[$"restore{cut}"]));
        }
    }

    [Fact]
    public async Task Bit_flip_in_plain_archive_body_is_detected()
    {
        using var dir = new TempDir();
        var result = await WriteAsync(dir, null);
        var length = new FileInfo(result.Path).Length;
        foreach (var at in new[] { length / 3, length / 2, length - 5000 })
        {
            var e = await ReadFailsAsync(Flip(result.Path, at, 4), null);
            Assert.True(e.Error is BackupError.Corrupted or BackupError.Truncated or BackupError.InvalidManifest, $"flip at {at}: {e.Error} {e.Message}");
        }
    }

    [Fact]
    public async Task Files_that_are_not_backups_are_named_as_such()
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir["x"], "hello world").WaitAsync(TestTimeout);
        var e = await ReadFailsAsync(dir["x"], null);
        Assert.Equal(BackupError.UnknownFormat, e.Error);
        Assert.Contains("68656C6C", e.Message);
        await File.WriteAllBytesAsync(dir["empty"], []).WaitAsync(TestTimeout);
        Assert.Contains("empty", (await ReadFailsAsync(dir["empty"], null)).Message);
    }
}
