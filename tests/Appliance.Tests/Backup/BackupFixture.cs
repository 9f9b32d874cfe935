using Appliance.Daemon.Backup;
using Appliance.Daemon.Crypto;

namespace Appliance.Tests.Backup;

/// <summary>Shared inputs for the backup tests: a 300 KB random store.db (several 64 KiB chunks) and a secrets file.</summary>
internal static class BackupFixture
{
    public const string Serial = "52A00001";
    public const string SoftwareVersion = "1.0.0";
    /// <summary>Argon2id at its cheapest (1 MiB, 1 pass): the real KDF, at a cost the tests can pay often.</summary>
    public static readonly BackupKdf FastKdf = BackupKdf.Argon2id(Argon2Cost.Minimum);
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);
    public static readonly BackupIdentity Identity = new(SoftwareVersion, Serial, "peer-1", "cluster-abc");
    public static readonly byte[] Secrets = """{"clusterKey":"s3cret","adminPasswordHash":"x"}"""u8.ToArray();

    public static byte[] Store { get; } = MakeStore();

    /// <summary>Writes a backup of store.db (as a file stream) and secrets.json (as bytes) into <paramref name="dir"/>.</summary>
    public static async Task<BackupResult> WriteAsync(TempDir dir, string? password, BackupKdf? kdf = null)
    {
        var storePath = dir["store.db"];
        await File.WriteAllBytesAsync(storePath, Store).WaitAsync(TestTimeout);
        await using var store = File.OpenRead(storePath);
        var writer = new BackupWriter(Identity) { Kdf = kdf ?? FastKdf }
            .Add("store.db", store)
            .Add("secrets.json", Secrets);
        return await writer.WriteToDirectoryAsync(dir["out"], password).WaitAsync(TestTimeout);
    }

    public static async Task<BackupException> ReadFailsAsync(string path, string? password, string? extract = null)
    {
        return await Assert.ThrowsAsync<BackupException>(() => BackupReader.OpenAsync(path, password, extract).WaitAsync(TestTimeout));
    }

    /// <summary>A copy of <paramref name="path"/> with one bit flipped at <paramref name="offset"/> (negative: from the end).</summary>
    public static string Flip(string path, long offset, int bit = 0)
    {
        var bytes = File.ReadAllBytes(path);
        var at = offset >= 0 ? offset : bytes.Length + offset;
        bytes[at] ^= (byte)(1 << bit);
        var copy = path + $".flip{at}.{bit}";
        File.WriteAllBytes(copy, bytes);
        return copy;
    }

    public static string Truncate(string path, long length)
    {
        var bytes = File.ReadAllBytes(path);
        var copy = path + $".cut{length}";
        File.WriteAllBytes(copy, bytes.AsSpan(0, (int)length).ToArray());
        return copy;
    }

    private static byte[] MakeStore()
    {
        // Random bytes do not compress, so the archive stays larger than several chunks.
        var b = new byte[300 * 1024];
        new Random(12345).NextBytes(b);
        return b;
    }
}
