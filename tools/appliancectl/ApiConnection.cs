using System.Net.Sockets;
using System.Text;

namespace Appliance.Ctl;

/// <summary>
/// One Unix-socket connection carrying newline-delimited JSON (PROTOCOL.md), and between lines the
/// raw bytes of an upload or a download. Lines are read as bytes so that the bytes after a line are
/// never taken for text.
/// </summary>
internal sealed class ApiConnection : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private const int MaxLineBytes = 64 << 20;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _path;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private ApiConnection(Socket socket, string path)
    {
        _socket = socket;
        _path = path;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<ApiConnection> OpenAsync(string path, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            return new ApiConnection(socket, path);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(path, Describe(e), e);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(path, $"no answer within {ConnectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True when the daemon has closed its end (e.g. after `restart`), so the next
    /// request must go over a new connection instead of failing half-way.</summary>
    public bool IsClosedByPeer
    {
        get
        {
            try
            {
                return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return true;
            }
        }
    }

    public Task SendLineAsync(string json, CancellationToken ct) => SendAsync(Encoding.UTF8.GetBytes(json + "\n"), ct);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        try
        {
            await _stream.WriteAsync(bytes, ct);
        }
        catch (IOException e)
        {
            throw new DaemonUnreachableException(_path, "the connection broke while sending: " + e.Message, e);
        }
    }

    /// <summary>The next line, or null when the daemon closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var line = new MemoryStream();
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            var stop = newline >= 0 ? newline : _end;
            line.Write(_buffer, _start, stop - _start);
            _start = newline >= 0 ? newline + 1 : _end;
            if (newline >= 0)
                return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length).TrimEnd('\r');
            if (line.Length > MaxLineBytes)
                throw new ProtocolException($"the daemon sent a line longer than {MaxLineBytes} bytes");
            if (!await FillAsync(ct))
                return line.Length > 0 ? Encoding.UTF8.GetString(line.ToArray()) : null;
        }
    }

    /// <summary>Up to <paramref name="destination"/>.Length raw bytes; 0 when the daemon closed the connection.</summary>
    public async Task<int> ReadAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (_start == _end && !await FillAsync(ct))
            return 0;
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsMemory(_start, n).CopyTo(destination);
        _start += n;
        return n;
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        try
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer, ct);
            return _end > 0;
        }
        catch (IOException e)
        {
            throw new DaemonUnreachableException(_path, "the connection broke while reading: " + e.Message, e);
        }
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AccessDenied => "permission denied (run as root or as a member of the appliance-admin group)",
        SocketError.ConnectionRefused => "connection refused (the socket exists but nothing listens: is applianced running?)",
        SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
            => "no such socket (is applianced running? try `systemctl status applianced`)",
        _ => e.Message + " (is applianced running? try `systemctl status applianced`)",
    };
}
