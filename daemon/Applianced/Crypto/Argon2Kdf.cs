using System.Security.Cryptography;
using Konscious.Security.Cryptography;

namespace Appliance.Daemon.Crypto;

/// <summary>Argon2id cost: memory in MiB, passes over that memory, and lanes (parallelism).</summary>
public readonly record struct Argon2Cost(int MemoryMiB, int Passes, int Lanes)
{
    /// <summary>
    /// RFC 9106's second recommended option (64 MiB, 3 passes) with one lane, since an appliance has
    /// few cores to run lanes on: about 0.3 s of CPU on the build machine, so around a second on a
    /// low-end one. Callers cache what they derive, so the cost is paid once per key.
    /// </summary>
    public static readonly Argon2Cost Default = new(64, 3, 1);

    /// <summary>The cheapest valid cost (1 MiB, 1 pass): for tests that derive many keys, never for real secrets.</summary>
    internal static readonly Argon2Cost Minimum = new(1, 1, 1);

    public override string ToString() => $"{MemoryMiB} MiB, {Passes} passes, {Lanes} lanes";
}

/// <summary>Argon2id (RFC 9106, version 0x13), the memory-hard KDF for the cluster key and backup passwords.</summary>
public static class Argon2Kdf
{
    // One derivation at a time in the process: each holds its memory while it runs, so a burst
    // (a key change while a backup is restored, several cluster ids at once) waits in line
    // instead of multiplying the memory. Waiting is asynchronous: no thread blocks meanwhile.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>
    /// Derives <paramref name="length"/> bytes. Asynchronous all the way: the library runs each
    /// segment on the thread pool, and a caller blocking a pool thread on it can starve the pool.
    /// </summary>
    public static async Task<byte[]> DeriveAsync(ReadOnlyMemory<byte> secret, ReadOnlyMemory<byte> salt, Argon2Cost cost, int length)
    {
        if (cost.MemoryMiB < 1 || cost.Passes < 1 || cost.Lanes < 1 || cost.MemoryMiB * 1024 < 8 * cost.Lanes)
            throw new ArgumentOutOfRangeException(nameof(cost), cost, "Argon2id needs at least 1 MiB, 1 pass, 1 lane and 8 KiB per lane");
        if (salt.Length < 8)
            throw new ArgumentException($"Argon2id needs a salt of at least 8 bytes, got {salt.Length}", nameof(salt));
        var copy = secret.ToArray();
        await OneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            using var argon = new Argon2id(copy)
            {
                Salt = salt.ToArray(),
                MemorySize = cost.MemoryMiB * 1024,
                Iterations = cost.Passes,
                DegreeOfParallelism = cost.Lanes,
            };
            return await argon.GetBytesAsync(length).ConfigureAwait(false);
        }
        finally
        {
            OneAtATime.Release();
            CryptographicOperations.ZeroMemory(copy);
        }
    }
}
