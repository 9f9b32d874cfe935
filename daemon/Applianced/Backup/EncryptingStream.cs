using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

/// <summary>
/// Write-only stream that encrypts into the chunked format of FORMAT.md. The caller must call
/// <see cref="Complete"/> (or <see cref="CompleteAsync"/>) after the last write: only that writes
/// the final chunk, so a writer that dies half way leaves a file readers report as truncated
/// instead of a shorter file that looks whole.
/// </summary>
internal sealed class EncryptingStream : ChunkCipherStream
{
    private readonly byte[] _out;
    private int _filled;
    private bool _headerWritten;
    private bool _completed;

    private EncryptingStream(Stream inner, bool leaveOpen, CipherHeader header, byte[] key)
        : base(inner, leaveOpen, header, key)
    {
        _out = new byte[CipherHeader.Size + ChunkFormat.LengthSize + header.ChunkSize + ChunkFormat.TagSize];
    }

    public static async Task<EncryptingStream> CreateAsync(Stream inner, string password, BackupKdf kdf, int chunkSize, bool leaveOpen)
    {
        var header = CipherHeader.CreateNew(kdf, chunkSize);
        var key = await kdf.DeriveKeyAsync(password, header.Salt).ConfigureAwait(false);
        try
        {
            return new EncryptingStream(inner, leaveOpen, header, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public override bool CanRead => false;
    public override bool CanWrite => !_completed;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = Append(buffer);
            buffer = buffer[n..];
            if (_filled == Plain.Length)
                Inner.Write(_out, 0, Seal(final: false));
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        while (!buffer.IsEmpty)
        {
            var n = Append(buffer.Span);
            buffer = buffer[n..];
            if (_filled == Plain.Length)
                await Inner.WriteAsync(_out.AsMemory(0, Seal(final: false)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the final chunk (shorter than the chunk size, possibly empty) and flushes.</summary>
    public void Complete()
    {
        if (_completed)
            return;
        Inner.Write(_out, 0, Seal(final: true));
        _completed = true;
        Inner.Flush();
    }

    public async Task CompleteAsync(CancellationToken ct = default)
    {
        if (_completed)
            return;
        await Inner.WriteAsync(_out.AsMemory(0, Seal(final: true)), ct).ConfigureAwait(false);
        _completed = true;
        await Inner.FlushAsync(ct).ConfigureAwait(false);
    }

    public override void Flush()
    {
        // Nothing to flush before a chunk is full: a partial chunk cannot be written without
        // making it the final one.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var n = Math.Min(data.Length, Plain.Length - _filled);
        data[..n].CopyTo(Plain.AsSpan(_filled));
        _filled += n;
        return n;
    }

    /// <summary>Encrypts the buffered plaintext as chunk <see cref="Index"/> into <see cref="_out"/>; returns the bytes to write.</summary>
    private int Seal(bool final)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var pos = 0;
        if (!_headerWritten)
        {
            Header.Bytes.CopyTo(_out, 0);
            pos = CipherHeader.Size;
            _headerWritten = true;
        }
        var len = _filled;
        BinaryPrimitives.WriteUInt32BigEndian(_out.AsSpan(pos), (uint)len);
        pos += ChunkFormat.LengthSize;
        Span<byte> nonce = stackalloc byte[ChunkFormat.NonceSize];
        Span<byte> aad = stackalloc byte[CipherHeader.AssociatedDataSize];
        ChunkParameters(nonce, aad, final);
        Aes.Encrypt(nonce, Plain.AsSpan(0, len), _out.AsSpan(pos, len), _out.AsSpan(pos + len, ChunkFormat.TagSize), aad);
        if (!final && Index == uint.MaxValue)
            throw new BackupException(BackupError.InvalidArgument, "backup too large: more than 2^32 encrypted chunks");
        Index++;
        _filled = 0;
        return pos + len + ChunkFormat.TagSize;
    }
}

/// <summary>Sizes shared by the encrypting and decrypting streams.</summary>
internal static class ChunkFormat
{
    public const int LengthSize = 4;
    public const int NonceSize = 12;
    public const int TagSize = 16;
}
