namespace Appliance.Hal.Lcd;

/// <summary>
/// Reads packets from a byte stream. A serial line has no framing besides the CRC, so after line
/// noise or a corrupted packet the reader slides one byte at a time until a length and CRC agree.
/// </summary>
public sealed class Cfa635PacketReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1024];
    private int _start;
    private int _end;

    /// <summary>Reads from <paramref name="stream"/>; the caller owns the stream.</summary>
    public Cfa635PacketReader(Stream stream) => _stream = stream;

    /// <summary>Packets dropped because their CRC did not match (plus bytes skipped while resynchronising).</summary>
    public int CorruptPackets { get; private set; }

    /// <summary>Next valid packet, or null when the stream ended.</summary>
    public async ValueTask<Cfa635Packet?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryParse(out var packet))
                return packet;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return null;
            _end += n;
        }
    }

    private bool TryParse(out Cfa635Packet packet)
    {
        packet = default;
        while (_end - _start >= 2)
        {
            int length = _buffer[_start + 1];
            if (length > Cfa635Protocol.MaxData)
            {
                Skip();
                continue;
            }
            var total = length + 4;
            if (_end - _start < total)
            {
                // A corrupted length byte can claim more bytes than will ever come while the
                // other side waits for our next command. If a whole valid packet already follows,
                // the bytes here were noise: resume there instead of stalling.
                var next = FindValidPacket(_start + 1);
                if (next < 0)
                    return false;
                CorruptPackets++;
                _start = next;
                continue;
            }
            if (!IsValidAt(_start))
            {
                Skip();
                continue;
            }
            packet = new Cfa635Packet(_buffer[_start], _buffer.AsSpan(_start + 2, length).ToArray());
            _start += total;
            return true;
        }
        return false;
    }

    private bool IsValidAt(int at)
    {
        if (_end - at < 4)
            return false;
        int length = _buffer[at + 1];
        if (length > Cfa635Protocol.MaxData || _end - at < length + 4)
            return false;
        var crc = (ushort)(_buffer[at + length + 2] | (_buffer[at + length + 3] << 8));
        return crc == Crc16X25.Compute(_buffer.AsSpan(at, length + 2));
    }

    private int FindValidPacket(int from)
    {
        for (var at = from; at + 4 <= _end; at++)
            if (IsValidAt(at))
                return at;
        return -1;
    }

    private void Skip()
    {
        CorruptPackets++;
        _start++;
    }
}
