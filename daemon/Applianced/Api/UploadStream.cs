using System.Buffers.Binary;
using Appliance.Daemon.Files;

namespace Appliance.Daemon.Api;

/// <summary>
/// The data of an upload as a read-only stream (PROTOCOL.md, "Uploads"): chunks of a 4-byte
/// big-endian length and that many bytes, a zero length ending it. The cap holds while reading:
/// the byte past it is never read. A broken upload (over the cap, an oversized chunk, the client
/// gone) cannot be told apart from the next request any more, so <see cref="Broken"/> says why
/// and the server closes the connection after answering.
/// </summary>
internal sealed class UploadStream(LineReader reader, long maxBytes, int maxChunkBytes) : ReadOnlyStream
{
    private readonly byte[] _header = new byte[4];
    private int _chunkLeft;
    private long _received;

    public bool Ended { get; private set; }
    public string? Broken { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (Broken is not null) throw new IOException(Broken);
        if (buffer.IsEmpty) return 0;
        try
        {
            if (_chunkLeft == 0 && !await NextChunkAsync(ct)) return 0;
            var n = await reader.ReadAsync(buffer[..Math.Min(buffer.Length, _chunkLeft)], ct);
            if (n == 0) throw Break("the client closed the connection in the middle of the upload");
            _chunkLeft -= n;
            return n;
        }
        catch (EndOfStreamException)
        {
            throw Break("the client closed the connection in the middle of the upload");
        }
    }

    private async Task<bool> NextChunkAsync(CancellationToken ct)
    {
        if (Ended) return false;
        await reader.ReadExactlyAsync(_header, ct);
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header);
        if (length == 0)
        {
            Ended = true;
            return false;
        }
        if (length > maxChunkBytes)
            throw Break($"upload chunk of {length} bytes; chunks are at most {maxChunkBytes} bytes");
        if (_received + length > maxBytes)
            throw Break($"the upload is larger than the {maxBytes} bytes this command accepts; nothing was kept");
        _received += length;
        _chunkLeft = (int)length;
        return true;
    }

    /// <summary>Reads and drops what the handler left unread, so the next request line is in sync.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var scratch = new byte[64 * 1024];
        try
        {
            while (await ReadAsync(scratch, ct) > 0) { }
        }
        catch (IOException) when (Broken is not null) { }
    }

    private IOException Break(string why)
    {
        Broken ??= why;
        return new IOException(why);
    }

    // Handlers read asynchronously; a synchronous reader would block on the socket through this.
    public override int Read(Span<byte> buffer)
    {
        var copy = new byte[buffer.Length];
        var n = ReadAsync(copy).AsTask().GetAwaiter().GetResult();
        copy.AsSpan(0, n).CopyTo(buffer);
        return n;
    }
}
