using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

/// <summary>
/// What the encrypting and decrypting streams of FORMAT.md share: the key, the plaintext buffer of
/// one chunk, the chunk counter with each chunk's nonce and associated data, and disposal that wipes
/// the plaintext. Neither direction can seek or know its length.
/// </summary>
internal abstract class ChunkCipherStream : Stream
{
    protected readonly Stream Inner;
    protected readonly CipherHeader Header;
    protected readonly AesGcm Aes;
    protected readonly byte[] Plain;
    /// <summary>The number of the next chunk.</summary>
    protected uint Index;
    private readonly bool _leaveOpen;

    protected ChunkCipherStream(Stream inner, bool leaveOpen, CipherHeader header, byte[] key)
    {
        Inner = inner;
        _leaveOpen = leaveOpen;
        Header = header;
        Aes = new AesGcm(key, ChunkFormat.TagSize);
        Plain = new byte[header.ChunkSize];
    }

    /// <summary>Nonce and associated data of chunk <see cref="Index"/> into the caller's stack buffers.</summary>
    protected void ChunkParameters(Span<byte> nonce, Span<byte> aad, bool final)
    {
        Header.WriteNonce(nonce, Index);
        Header.WriteAssociatedData(aad, Index, final);
    }

    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Aes.Dispose();
            CryptographicOperations.ZeroMemory(Plain);
            if (!_leaveOpen)
                Inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Aes.Dispose();
        CryptographicOperations.ZeroMemory(Plain);
        if (!_leaveOpen)
            await Inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
