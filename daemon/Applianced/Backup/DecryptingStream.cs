using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

/// <summary>
/// Read-only stream that authenticates and decrypts the chunked format of FORMAT.md. Each chunk
/// is released only after its tag checks, but truncation is known only at the end: a consumer
/// must treat everything it read as void if a read throws.
/// </summary>
internal sealed class DecryptingStream : ChunkCipherStream
{
    private readonly byte[] _record;
    private int _plainPos;
    private int _plainLen;
    private bool _finalSeen;

    private DecryptingStream(Stream inner, bool leaveOpen, CipherHeader header, byte[] key)
        : base(inner, leaveOpen, header, key)
    {
        _record = new byte[ChunkFormat.LengthSize + header.ChunkSize + ChunkFormat.TagSize];
    }

    /// <summary>Reads the header and derives the key; the first chunk is checked on the first read.</summary>
    public static async Task<DecryptingStream> OpenAsync(Stream inner, string password, bool leaveOpen, CancellationToken ct)
    {
        BackupCipher.CheckPassword(password);
        var buf = new byte[CipherHeader.Size];
        var n = await inner.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        var header = CipherHeader.Parse(buf.AsSpan(0, n));
        var key = await header.Kdf.DeriveKeyAsync(password, header.Salt).ConfigureAwait(false);
        try
        {
            return new DecryptingStream(inner, leaveOpen, header, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public override bool CanRead => true;
    public override bool CanWrite => false;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_plainPos == _plainLen && !_finalSeen)
        {
            var got = Inner.ReadAtLeast(_record.AsSpan(0, ChunkFormat.LengthSize), ChunkFormat.LengthSize, throwOnEndOfStream: false);
            var len = RecordLength(got);
            got = Inner.ReadAtLeast(_record.AsSpan(ChunkFormat.LengthSize, len + ChunkFormat.TagSize), len + ChunkFormat.TagSize, throwOnEndOfStream: false);
            Open(len, got);
            if (_finalSeen)
                CheckEnd(Inner.Read(_record, 0, 1));
        }
        return Copy(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_plainPos == _plainLen && !_finalSeen)
        {
            var got = await Inner.ReadAtLeastAsync(_record.AsMemory(0, ChunkFormat.LengthSize), ChunkFormat.LengthSize, false, ct).ConfigureAwait(false);
            var len = RecordLength(got);
            got = await Inner.ReadAtLeastAsync(_record.AsMemory(ChunkFormat.LengthSize, len + ChunkFormat.TagSize), len + ChunkFormat.TagSize, false, ct).ConfigureAwait(false);
            Open(len, got);
            if (_finalSeen)
                CheckEnd(await Inner.ReadAsync(_record.AsMemory(0, 1), ct).ConfigureAwait(false));
        }
        return Copy(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int RecordLength(int got)
    {
        if (got == 0)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends before chunk {Index} and no final chunk was seen");
        if (got < ChunkFormat.LengthSize)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends inside the length of chunk {Index}");
        var len = BinaryPrimitives.ReadUInt32BigEndian(_record);
        if (len > Header.ChunkSize)
            throw new BackupException(BackupError.Corrupted, $"corrupted file: chunk {Index} declares {len} bytes, more than the chunk size {Header.ChunkSize}");
        return (int)len;
    }

    /// <summary>Authenticates and decrypts the record just read; a chunk shorter than the chunk size is the final one.</summary>
    private void Open(int len, int got)
    {
        if (got < len + ChunkFormat.TagSize)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends inside chunk {Index}");
        var final = len < Header.ChunkSize;
        Span<byte> nonce = stackalloc byte[ChunkFormat.NonceSize];
        Span<byte> aad = stackalloc byte[CipherHeader.AssociatedDataSize];
        ChunkParameters(nonce, aad, final);
        var body = _record.AsSpan(ChunkFormat.LengthSize);
        try
        {
            Aes.Decrypt(nonce, body[..len], body.Slice(len, ChunkFormat.TagSize), Plain.AsSpan(0, len), aad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            // On the first chunk a wrong password and damage look the same; after it the key is proven.
            throw Index == 0
                ? new BackupException(BackupError.WrongPasswordOrCorrupted, "wrong password or corrupted file", e)
                : new BackupException(BackupError.Corrupted, $"corrupted file: chunk {Index} failed authentication", e);
        }
        if (!final && Index == uint.MaxValue)
            throw new BackupException(BackupError.Corrupted, "corrupted file: more than 2^32 chunks");
        Index++;
        _plainPos = 0;
        _plainLen = len;
        _finalSeen = final;
    }

    private void CheckEnd(int extra)
    {
        if (extra != 0)
            throw new BackupException(BackupError.Corrupted, $"corrupted file: data follows the final chunk {Index - 1}");
    }

    private int Copy(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _plainLen - _plainPos);
        Plain.AsSpan(_plainPos, n).CopyTo(buffer);
        _plainPos += n;
        return n;
    }
}
