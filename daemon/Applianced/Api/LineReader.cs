using System.Text;

namespace Appliance.Daemon.Api;

internal sealed class LineTooLongException : Exception;

/// <summary>
/// Reads '\n'-terminated UTF-8 lines with a hard length limit, so a client cannot make us buffer
/// without end; and, between lines, raw bytes (an upload), taking first what is already buffered.
/// </summary>
internal sealed class LineReader(Stream stream, int maxBytes)
{
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;
    private readonly MemoryStream _line = new();

    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        _line.SetLength(0);
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                _line.Write(_buffer, _start, newline - _start);
                _start = newline + 1;
                return Decode();
            }
            _line.Write(_buffer, _start, _end - _start);
            if (_line.Length > maxBytes) throw new LineTooLongException();
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            if (_end == 0) return _line.Length > 0 ? Decode() : null;
        }
    }

    /// <summary>Up to <paramref name="destination"/>.Length raw bytes; 0 only at the end of the stream.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_start < _end)
        {
            var n = Math.Min(destination.Length, _end - _start);
            _buffer.AsMemory(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }
        return await stream.ReadAsync(destination, ct);
    }

    /// <summary>Exactly <paramref name="destination"/>.Length raw bytes, or EndOfStreamException.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken ct)
    {
        while (destination.Length > 0)
        {
            var n = await ReadAsync(destination, ct);
            if (n == 0) throw new EndOfStreamException("the client closed the connection in the middle of an upload");
            destination = destination[n..];
        }
    }

    private string Decode()
    {
        if (_line.Length > maxBytes) throw new LineTooLongException();
        return Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length).TrimEnd('\r');
    }
}
