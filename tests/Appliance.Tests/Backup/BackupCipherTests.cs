using Appliance.Daemon.Backup;
using Appliance.Daemon.Crypto;
using static Appliance.Tests.Backup.BackupFixture;

namespace Appliance.Tests.Backup;

/// <summary>The chunked cipher on its own, at the chunk-boundary edge cases.</summary>
public class BackupCipherTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(3 * 4096)]
    [InlineData(3 * 4096 + 1)]
    public async Task Round_trips_at_chunk_boundaries(int length)
    {
        var plain = new byte[length];
        new Random(length).NextBytes(plain);
        var sealedStream = new MemoryStream();
        await BackupCipher.EncryptAsync(new MemoryStream(plain), sealedStream, "pw", FastKdf, chunkSize: 4096).WaitAsync(TestTimeout);
        // Header, full chunks, then a final chunk that is always shorter than a full one (maybe empty).
        Assert.Equal(38 + (length / 4096 * (4 + 4096 + 16)) + 4 + (length % 4096) + 16, sealedStream.Length);

        sealedStream.Position = 0;
        var back = new MemoryStream();
        await BackupCipher.DecryptAsync(sealedStream, back, "pw").WaitAsync(TestTimeout);
        Assert.Equal(plain, back.ToArray());
    }

    [Fact]
    public async Task Dropping_the_empty_final_chunk_is_truncation()
    {
        var sealedStream = new MemoryStream();
        await BackupCipher.EncryptAsync(new MemoryStream(new byte[2 * 4096]), sealedStream, "pw", FastKdf, 4096).WaitAsync(TestTimeout);
        var cut = new MemoryStream(sealedStream.ToArray()[..^(4 + 16)]);
        var e = await Assert.ThrowsAsync<BackupException>(() => BackupCipher.DecryptAsync(cut, Stream.Null, "pw").WaitAsync(TestTimeout));
        Assert.Equal(BackupError.Truncated, e.Error);
    }

    [Fact]
    public async Task Out_of_range_parameters_are_refused()
    {
        Assert.Contains("iteration count 10 ", Assert.Throws<BackupException>(() => BackupKdf.Pbkdf2(10)).Message);
        Assert.Contains("cost (512 MiB, 1 passes, 1 lanes) is outside", Assert.Throws<BackupException>(() => BackupKdf.Argon2id(new Argon2Cost(512, 1, 1))).Message);
        Assert.Contains("cost (64 MiB, 3 passes, 0 lanes) is outside", Assert.Throws<BackupException>(() => BackupKdf.Argon2id(Argon2Cost.Default with { Lanes = 0 })).Message);
        Assert.Contains("chunk size 100 ", (await Assert.ThrowsAsync<BackupException>(() => BackupCipher.EncryptAsync(Stream.Null, Stream.Null, "pw", FastKdf, chunkSize: 100).WaitAsync(TestTimeout))).Message);
    }
}
