using System.Buffers.Binary;
using Appliance.Daemon.Backup;

namespace Appliance.Fuzz;

/// <summary>
/// The decrypting stream of an encrypted backup, read to its end once with synchronous reads and
/// once with asynchronous ones (the restore path uses both); the two must agree on the plaintext or
/// on the refusal. Seeds use the lowest key derivation cost the format allows; a mutated header
/// asking for more only costs time (bounded by the format), so such inputs are skipped.
/// </summary>
internal sealed class DecryptTarget : FuzzTarget
{
    private const string Password = "fuzz password";
    private const int SeedIterations = 1_000;
    private const int MaxIterationsTried = 2_000;
    private const int SeedChunkSize = 1_024;

    public override string Name => "decrypt";

    public override string Description => "DecryptingStream (sync and async reads) over an encrypted backup; refusal: BackupException";

    public override string? Run(byte[] input)
    {
        if (CostsMoreThanTheCheapestKey(input))
            return "key derivation cost above what the fuzzer tries";
        var sync = Decrypt(input, async: false);
        var async = Decrypt(input, async: true);
        if (sync != async)
            throw new InvariantException($"synchronous and asynchronous reads disagree: {sync} / {async}");
        return sync.StartsWith("refused", StringComparison.Ordinal) ? sync : null;
    }

    /// <summary>
    /// Header bytes 5..9 (FORMAT.md): the key derivation id and its cost. PBKDF2 (1): iterations.
    /// Argon2id (2, where the format has it): memory MiB (uint16), passes, lanes.
    /// </summary>
    private static bool CostsMoreThanTheCheapestKey(byte[] input) => input.Length >= 10 && input[5] switch
    {
        1 => BinaryPrimitives.ReadUInt32BigEndian(input.AsSpan(6)) > MaxIterationsTried,
        2 => BinaryPrimitives.ReadUInt16BigEndian(input.AsSpan(6)) > 1 || input[8] > 1 || input[9] > 1,
        _ => false,
    };

    /// <summary>The plaintext's length and hash, or the refusal's kind: what two reads must agree on.</summary>
    private static string Decrypt(byte[] input, bool async)
    {
        using var file = new MemoryStream(input, writable: false);
        using var plain = new MemoryStream();
        try
        {
            using var stream = DecryptingStream.OpenAsync(file, Password, leaveOpen: true, CancellationToken.None).GetAwaiter().GetResult();
            if (async)
                stream.CopyToAsync(plain).GetAwaiter().GetResult();
            else
                stream.CopyTo(plain);
        }
        catch (BackupException e)
        {
            return $"refused: {e.Error}";
        }
        return $"{plain.Length} bytes, hash {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(plain.ToArray()))}";
    }

    public override IEnumerable<(string Name, byte[] Bytes)> Seeds()
    {
        foreach (var size in new[] { 0, 100, SeedChunkSize, 2 * SeedChunkSize + 300 })
        {
            var plain = new byte[size];
            for (var i = 0; i < size; i++)
                plain[i] = (byte)i;
            using var output = new MemoryStream();
            BackupCipher.EncryptAsync(new MemoryStream(plain), output, Password, BackupKdf.Pbkdf2(SeedIterations), SeedChunkSize).GetAwaiter().GetResult();
            yield return ($"plain-{size}", output.ToArray());
        }
    }

    public override IEnumerable<string> Tokens => ["APBK"];
}
