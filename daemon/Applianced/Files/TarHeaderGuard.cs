namespace Appliance.Daemon.Files;

/// <summary>
/// Sits between a decompressor and a TarReader and sees every 512-byte tar header before the reader
/// does. TarReader allocates the whole declared size of a metadata entry (pax 'x'/'g', GNU long name
/// 'L'/'K') before reading it, so a few kilobytes of crafted archive could make it take gigabytes;
/// such a header over <c>maxMetadataBytes</c> is refused here, as is a size field that is not a
/// number. Data passes through untouched.
/// </summary>
internal sealed class TarHeaderGuard(Stream inner, int maxMetadataBytes = TarHeaderGuard.DefaultMaxMetadataBytes) : ReadOnlyStream
{
    public const int DefaultMaxMetadataBytes = 64 * 1024;
    private const int Block = 512;
    private const int TypeOffset = 156, SizeOffset = 124, SizeLength = 12;

    private readonly byte[] _header = new byte[Block];
    private long _position;
    private long _nextHeader;
    private int _headerLength = -1; // bytes of the current header held in _header; -1: none held
    private int _headerServed;

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_headerLength < 0 && _position == _nextHeader)
        {
            _headerLength = inner.ReadAtLeast(_header, Block, throwOnEndOfStream: false);
            _headerServed = 0;
            Check();
        }
        if (_headerLength >= 0)
            return ServeHeader(buffer);
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _nextHeader - _position)]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (buffer.IsEmpty) return 0;
        if (_headerLength < 0 && _position == _nextHeader)
        {
            _headerLength = await inner.ReadAtLeastAsync(_header, Block, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            _headerServed = 0;
            Check();
        }
        if (_headerLength >= 0)
            return ServeHeader(buffer.Span);
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _nextHeader - _position)], ct).ConfigureAwait(false);
        _position += n;
        return n;
    }

    /// <summary>The rest of the held header.</summary>
    private int ServeHeader(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _headerLength - _headerServed);
        _header.AsSpan(_headerServed, n).CopyTo(buffer);
        _headerServed += n;
        _position += n;
        if (_headerServed == _headerLength) _headerLength = -1;
        return n;
    }

    private void Check()
    {
        if (_headerLength < Block)
        {
            _nextHeader = long.MaxValue; // the archive ends here; the reader reports a short header
            return;
        }
        var size = Size(_header.AsSpan(SizeOffset, SizeLength));
        var type = (char)_header[TypeOffset];
        if (type is 'x' or 'g' or 'L' or 'K' && size > maxMetadataBytes)
            throw new InvalidDataException($"a tar metadata header (type '{type}') declares {size} bytes; at most {maxMetadataBytes} are read");
        _nextHeader = _position + Block + (size + Block - 1) / Block * Block;
    }

    /// <summary>A tar size field: octal digits (space or NUL ended), or base-256 when the high bit is set.</summary>
    private static long Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            // 0x80 then 11 bytes big-endian; a long holds the last 8 (and not their top bit).
            if (field[0] != 0x80 || field[1] != 0 || field[2] != 0 || field[3] != 0 || (field[4] & 0x80) != 0)
                throw new InvalidDataException("a tar size field is negative or larger than this reader takes");
            long value = 0;
            foreach (var b in field[4..]) value = value << 8 | b;
            return value;
        }
        long octal = 0;
        foreach (var b in field)
        {
            if (b is 0 or (byte)' ') { if (octal > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw new InvalidDataException("a tar size field is not an octal number");
            octal = octal * 8 + (b - '0'); // 12 digits at most: 36 bits
        }
        return octal;
    }
}
