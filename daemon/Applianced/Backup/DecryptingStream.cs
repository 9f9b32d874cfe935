using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Appliance.Daemon.Backup;

/// <summary>
/// Read-only stream that authenticates and decrypts the chunked format of FORMAT.md. Each chunk
/// is released only after its tag checks, but truncation is known only at the end: a consumer
/// must treat everything it read as void if a read throws.
/// </summary>
internal sealed class DecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly CipherHeader _header;
    private readonly AesGcm _aes;
    private readonly byte[] _record;
    private readonly byte[] _plain;
    private int _plainPos;
    private int _plainLen;
    private uint _index;
    private bool _finalSeen;

    private DecryptingStream(Stream inner, bool leaveOpen, CipherHeader header, byte[] key)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _header = header;
        _aes = new AesGcm(key, ChunkFormat.TagSize);
        _record = new byte[ChunkFormat.LengthSize + header.ChunkSize + ChunkFormat.TagSize];
        _plain = new byte[header.ChunkSize];
    }

    /// <summary>Reads the header and derives the key; the first chunk is checked on the first read.</summary>
    public static async Task<DecryptingStream> OpenAsync(Stream inner, string password, bool leaveOpen, CancellationToken ct)
    {
        BackupCipher.CheckPassword(password);
        var buf = new byte[CipherHeader.Size];
        var n = await inner.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        var header = CipherHeader.Parse(buf.AsSpan(0, n));
        var key = BackupCipher.DeriveKey(password, header.Salt, header.Iterations);
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
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_plainPos == _plainLen && !_finalSeen)
        {
            var got = _inner.ReadAtLeast(_record.AsSpan(0, ChunkFormat.LengthSize), ChunkFormat.LengthSize, throwOnEndOfStream: false);
            var len = RecordLength(got);
            got = _inner.ReadAtLeast(_record.AsSpan(ChunkFormat.LengthSize, len + ChunkFormat.TagSize), len + ChunkFormat.TagSize, throwOnEndOfStream: false);
            Open(len, got);
            if (_finalSeen)
                CheckEnd(_inner.Read(_record, 0, 1));
        }
        return Copy(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (_plainPos == _plainLen && !_finalSeen)
        {
            var got = await _inner.ReadAtLeastAsync(_record.AsMemory(0, ChunkFormat.LengthSize), ChunkFormat.LengthSize, false, ct).ConfigureAwait(false);
            var len = RecordLength(got);
            got = await _inner.ReadAtLeastAsync(_record.AsMemory(ChunkFormat.LengthSize, len + ChunkFormat.TagSize), len + ChunkFormat.TagSize, false, ct).ConfigureAwait(false);
            Open(len, got);
            if (_finalSeen)
                CheckEnd(await _inner.ReadAsync(_record.AsMemory(0, 1), ct).ConfigureAwait(false));
        }
        return Copy(buffer.Span);
    }

    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
            if (!_leaveOpen)
                _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
        if (!_leaveOpen)
            await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int RecordLength(int got)
    {
        if (got == 0)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends before chunk {_index} and no final chunk was seen");
        if (got < ChunkFormat.LengthSize)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends inside the length of chunk {_index}");
        var len = BinaryPrimitives.ReadUInt32BigEndian(_record);
        if (len > _header.ChunkSize)
            throw new BackupException(BackupError.Corrupted, $"corrupted file: chunk {_index} declares {len} bytes, more than the chunk size {_header.ChunkSize}");
        return (int)len;
    }

    /// <summary>Authenticates and decrypts the record just read; a chunk shorter than the chunk size is the final one.</summary>
    private void Open(int len, int got)
    {
        if (got < len + ChunkFormat.TagSize)
            throw new BackupException(BackupError.Truncated, $"truncated: the file ends inside chunk {_index}");
        var final = len < _header.ChunkSize;
        Span<byte> nonce = stackalloc byte[ChunkFormat.NonceSize];
        Span<byte> aad = stackalloc byte[CipherHeader.AssociatedDataSize];
        _header.WriteNonce(nonce, _index);
        _header.WriteAssociatedData(aad, _index, final);
        var body = _record.AsSpan(ChunkFormat.LengthSize);
        try
        {
            _aes.Decrypt(nonce, body[..len], body.Slice(len, ChunkFormat.TagSize), _plain.AsSpan(0, len), aad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            // On the first chunk a wrong password and damage look the same; after it the key is proven.
            throw _index == 0
                ? new BackupException(BackupError.WrongPasswordOrCorrupted, "wrong password or corrupted file", e)
                : new BackupException(BackupError.Corrupted, $"corrupted file: chunk {_index} failed authentication", e);
        }
        if (!final && _index == uint.MaxValue)
            throw new BackupException(BackupError.Corrupted, "corrupted file: more than 2^32 chunks");
        _index++;
        _plainPos = 0;
        _plainLen = len;
        _finalSeen = final;
    }

    private void CheckEnd(int extra)
    {
        if (extra != 0)
            throw new BackupException(BackupError.Corrupted, $"corrupted file: data follows the final chunk {_index - 1}");
    }

    private int Copy(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _plainLen - _plainPos);
        _plain.AsSpan(_plainPos, n).CopyTo(buffer);
        _plainPos += n;
        return n;
    }
}
