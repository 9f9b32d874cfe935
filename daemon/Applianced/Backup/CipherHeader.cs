using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

/// <summary>
/// The fixed 38-byte header in front of an encrypted backup (layout in FORMAT.md). Every byte of it
/// is associated data of every chunk, so a change anywhere in it fails authentication.
/// </summary>
internal sealed class CipherHeader
{
    public const int Size = 38;
    public const int SaltSize = 16;
    public const int NoncePrefixSize = 8;

    // Format versions, one line each on what changed. (A new key derivation is a new kdf id, not a new version.)
    /// <summary>First version: a kdf id and its parameters, then AES-256-GCM chunks with a length prefix.</summary>
    public const byte Version1 = 1;

    // Bounds keep a damaged or hostile header from costing gigabytes of buffer before
    // authentication can fail (the kdf's own bounds are in BackupKdf).
    public const int MinChunkSize = 1_024;
    public const int MaxChunkSize = 16 * 1024 * 1024;

    public static ReadOnlySpan<byte> Magic => "APBK"u8;

    private CipherHeader(byte[] bytes, BackupKdf kdf, int chunkSize)
    {
        Bytes = bytes;
        Kdf = kdf;
        ChunkSize = chunkSize;
    }

    /// <summary>The header exactly as written, which is also the associated data prefix.</summary>
    public byte[] Bytes { get; }

    public BackupKdf Kdf { get; }

    public int ChunkSize { get; }

    public ReadOnlyMemory<byte> Salt => Bytes.AsMemory(10, SaltSize);

    public ReadOnlySpan<byte> NoncePrefix => Bytes.AsSpan(26, NoncePrefixSize);

    public static CipherHeader CreateNew(BackupKdf kdf, int chunkSize)
    {
        CheckChunkSize(chunkSize, BackupError.InvalidArgument);
        var b = new byte[Size];
        Magic.CopyTo(b);
        b[4] = Version1;
        b[5] = kdf.Id;
        kdf.WriteParameters(b.AsSpan(6, 4));
        RandomNumberGenerator.Fill(b.AsSpan(10, SaltSize + NoncePrefixSize));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(34), (uint)chunkSize);
        return new CipherHeader(b, kdf, chunkSize);
    }

    public static CipherHeader Parse(ReadOnlySpan<byte> b)
    {
        if (b.Length < Size)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends inside the {Size}-byte encryption header ({b.Length} bytes)");
        if (!b[..4].SequenceEqual(Magic))
            throw new BackupException(BackupError.UnknownFormat, "not an encrypted backup: the file does not start with \"APBK\"");
        if (b[4] != Version1)
            throw new BackupException(BackupError.UnsupportedVersion, $"unsupported encryption format version {b[4]} (this software reads version {Version1})");
        var kdf = BackupKdf.Read(b[5], b.Slice(6, 4));
        var chunkSize = BinaryPrimitives.ReadUInt32BigEndian(b[34..]);
        CheckChunkSize(chunkSize, BackupError.Corrupted);
        return new CipherHeader(b[..Size].ToArray(), kdf, (int)chunkSize);
    }

    /// <summary>Associated data of one chunk: header, chunk index, final flag.</summary>
    public void WriteAssociatedData(Span<byte> aad, uint index, bool final)
    {
        Bytes.CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[Size..], index);
        aad[Size + 4] = final ? (byte)1 : (byte)0;
    }

    public const int AssociatedDataSize = Size + 5;

    public void WriteNonce(Span<byte> nonce, uint index)
    {
        NoncePrefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], index);
    }

    private static void CheckChunkSize(long chunkSize, BackupError error)
    {
        if (chunkSize is < MinChunkSize or > MaxChunkSize)
            throw new BackupException(error, Prefix(error) + $"chunk size {chunkSize} is outside {MinChunkSize}..{MaxChunkSize}");
    }

    private static string Prefix(BackupError error) =>
        error == BackupError.Corrupted ? "corrupted encryption header: " : "";
}
