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
                return false;
            var body = _buffer.AsSpan(_start, length + 2);
            var crc = (ushort)(_buffer[_start + length + 2] | (_buffer[_start + length + 3] << 8));
            if (crc != Crc16X25.Compute(body))
            {
                Skip();
                continue;
            }
            packet = new Cfa635Packet(_buffer[_start], body[2..].ToArray());
            _start += total;
            return true;
        }
        return false;
    }

    private void Skip()
    {
        CorruptPackets++;
        _start++;
    }
}
