using System.Text;

namespace Appliance.Daemon.Api;

internal sealed class LineTooLongException : Exception;

/// <summary>Reads '\n'-terminated UTF-8 lines with a hard length limit, so a client cannot make us buffer without end.</summary>
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

    private string Decode()
    {
        if (_line.Length > maxBytes) throw new LineTooLongException();
        return Encoding.UTF8.GetString(_line.GetBuffer(), 0, (int)_line.Length).TrimEnd('\r');
    }
}
