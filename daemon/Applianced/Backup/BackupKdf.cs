using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Appliance.Daemon.Crypto;

namespace Appliance.Daemon.Backup;

/// <summary>
/// How a backup password becomes the AES key: the header's kdf id and the four parameter bytes
/// after it (FORMAT.md). New files use Argon2id, which is memory-hard, so guessing a stolen
/// backup's password on a GPU costs as much memory per guess as it costs us once. Files made
/// with PBKDF2 before that still restore.
/// </summary>
public sealed record BackupKdf
{
    public const byte Pbkdf2HmacSha256Id = 1;
    public const byte Argon2idId = 2;

    // Bounds keep a damaged or hostile header from costing minutes of key derivation or a large
    // share of the appliance's memory before authentication can fail.
    public const int MinIterations = 1_000;
    public const int MaxIterations = 10_000_000;
    public const int MaxMemoryMiB = 256;
    public const int MaxPasses = 10;
    public const int MaxLanes = 4;

    private BackupKdf(byte id, int iterations, Argon2Cost cost)
    {
        Id = id;
        Iterations = iterations;
        Cost = cost;
    }

    /// <summary>What new backups use: Argon2id at the same cost as the cluster key.</summary>
    public static BackupKdf Default { get; } = Argon2id(Argon2Cost.Default);

    public byte Id { get; }

    /// <summary>PBKDF2 iterations (kdf id 1), else 0.</summary>
    public int Iterations { get; }

    /// <summary>Argon2id cost (kdf id 2), else default.</summary>
    public Argon2Cost Cost { get; }

    public static BackupKdf Argon2id(Argon2Cost cost) => Check(new BackupKdf(Argon2idId, 0, cost), BackupError.InvalidArgument);

    /// <summary>The kdf of backups made before Argon2id; new backups use it only when asked to (tests).</summary>
    public static BackupKdf Pbkdf2(int iterations) => Check(new BackupKdf(Pbkdf2HmacSha256Id, iterations, default), BackupError.InvalidArgument);

    /// <summary>The 32-byte AES key for a password and salt.</summary>
    public async Task<byte[]> DeriveKeyAsync(string password, ReadOnlyMemory<byte> salt)
    {
        BackupCipher.CheckPassword(password);
        var pw = Encoding.UTF8.GetBytes(password);
        try
        {
            return Id == Argon2idId
                ? await Argon2Kdf.DeriveAsync(pw, salt, Cost, 32).ConfigureAwait(false)
                : Rfc2898DeriveBytes.Pbkdf2(pw, salt.Span, Iterations, HashAlgorithmName.SHA256, 32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pw);
        }
    }

    /// <summary>Header bytes 6..9: PBKDF2 iterations (uint32), or Argon2id memory MiB (uint16), passes, lanes.</summary>
    internal void WriteParameters(Span<byte> parameters)
    {
        if (Id == Argon2idId)
        {
            BinaryPrimitives.WriteUInt16BigEndian(parameters, (ushort)Cost.MemoryMiB);
            parameters[2] = (byte)Cost.Passes;
            parameters[3] = (byte)Cost.Lanes;
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(parameters, (uint)Iterations);
        }
    }

    internal static BackupKdf Read(byte id, ReadOnlySpan<byte> parameters) => id switch
    {
        Argon2idId => Check(new BackupKdf(id, 0,
            new Argon2Cost(BinaryPrimitives.ReadUInt16BigEndian(parameters), parameters[2], parameters[3])), BackupError.Corrupted),
        Pbkdf2HmacSha256Id => Check(new BackupKdf(id, (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(parameters), int.MaxValue), default),
            BackupError.Corrupted),
        _ => throw new BackupException(BackupError.UnsupportedVersion,
            $"unknown key derivation id {id} (this software knows {Pbkdf2HmacSha256Id} = PBKDF2-HMAC-SHA256, {Argon2idId} = Argon2id)"),
    };

    public override string ToString() => Id == Argon2idId ? $"Argon2id ({Cost})" : $"PBKDF2-HMAC-SHA256 ({Iterations} iterations)";

    private static BackupKdf Check(BackupKdf kdf, BackupError error)
    {
        var prefix = error == BackupError.Corrupted ? "corrupted encryption header: " : "";
        if (kdf.Id == Pbkdf2HmacSha256Id && kdf.Iterations is < MinIterations or > MaxIterations)
            throw new BackupException(error, prefix + $"PBKDF2 iteration count {kdf.Iterations} is outside {MinIterations}..{MaxIterations}");
        if (kdf.Id == Argon2idId && (kdf.Cost.MemoryMiB is < 1 or > MaxMemoryMiB || kdf.Cost.Passes is < 1 or > MaxPasses || kdf.Cost.Lanes is < 1 or > MaxLanes))
            throw new BackupException(error, prefix + $"Argon2id cost ({kdf.Cost}) is outside 1..{MaxMemoryMiB} MiB, 1..{MaxPasses} passes, 1..{MaxLanes} lanes");
        return kdf;
    }
}
